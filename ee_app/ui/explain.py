"""One-line explanations of the statistical terms on screen, for a store manager.

Pages use them as ``help=`` tooltips (``st.metric``, ``st.column_config``) or as captions, so a
word such as "Spearman" or "shrunken" is never shown without a plain reading next to it::

    from ee_app.ui.explain import explain
    st.metric(_("eNPS"), value, help=explain("enps", _))
    st.column_config.NumberColumn(_("Spearman ρ"), help=explain("spearman", _))

The texts are marked with ``N_`` (collected by ``scripts/i18n``) and translated when asked for,
in the words of the project glossary. Keys are stable: other pages import them.
"""

from __future__ import annotations

from collections.abc import Callable

from ee_app.errors import N_

__all__ = ["TERMS", "explain", "explanations"]

Gettext = Callable[[str], str]

#: Term key → its one-line explanation (English source; translated by :func:`explain`).
TERMS: dict[str, str] = {
    "confidence_interval": N_(
        "95% interval: the range the true value very likely lies in; the fewer the answers, "
        "the wider it is. Two figures whose intervals overlap a lot may not really differ."
    ),
    "n": N_(
        "n: how many people (or answers) the figure rests on. Small n means the figure can "
        "move a lot by chance."
    ),
    "enps": N_(
        "eNPS: the share of staff who would recommend working here (9–10 out of 10) minus the "
        "share who would not (0–6); from −100 to +100."
    ),
    "engagement_index": N_(
        "Engagement index: the average answer to the 12 engagement questions, from 1 "
        "(strongly disagree) to 5 (strongly agree)."
    ),
    "percentile": N_(
        "Better than (percentile): the share of the other units of the same level whose index "
        "is lower, a tie counting half; 90 means higher than 9 in 10 of the others."
    ),
    "shrunken": N_(
        "Shrunken: a person's rate pulled toward their store's rate, the more so the fewer "
        "answers they have, so that a few lucky or unlucky answers do not decide it."
    ),
    "icc": N_(
        "ICC: how much of the differences between people is explained by which store they "
        "work in; 0 means the store makes no difference, 1 means it explains everything."
    ),
    "adjusted_p": N_(
        "Adjusted p (Benjamini–Hochberg): the chance-finding check, made stricter because many "
        "themes are tested at once; below 0.05 the link is unlikely to be luck."
    ),
    "spearman": N_(
        "Spearman ρ: whether higher on one measure goes with higher on the other, using only "
        "the ranking; from −1 to +1, 0 means no link."
    ),
    "pearson": N_(
        "Pearson r: how closely two measures move together in a straight line; from −1 to "
        "+1, 0 means no link. A link is not proof that one causes the other."
    ),
    "partial_correlation": N_(
        "Partial correlation: the link between two measures after taking out the part both "
        "share with a third one (for example store size)."
    ),
    "lagged_relation": N_(
        "Lagged relation: whether engagement in one wave goes with the outcome in the next, "
        "which says more about which comes first than figures from the same time."
    ),
    "within_store_relation": N_(
        "Within-store relation: whether, inside the same store, staff with higher figures "
        "also have better outcomes, so differences between stores do not count."
    ),
    "favourable": N_(
        "% favourable: the share of answers that are agree or strongly agree (4 or 5 out of 5)."
    ),
}


def explain(term: str, _: Gettext) -> str:
    """The explanation of ``term`` (a key of :data:`TERMS`) in the reader's language.

    >>> explain("n", lambda s: s).startswith("n: how many people")
    True
    >>> explain("kappa", lambda s: s)
    Traceback (most recent call last):
    ...
    KeyError: "no explanation for 'kappa'"
    """
    try:
        return _(TERMS[term])
    except KeyError:
        raise KeyError(f"no explanation for {term!r}") from None


def explanations(_: Gettext) -> dict[str, str]:
    """Every explanation, translated: term key → text (for pages that want them all).

    >>> sorted(explanations(lambda s: s)) == sorted(TERMS)
    True
    """
    return {term: _(text) for term, text in TERMS.items()}
