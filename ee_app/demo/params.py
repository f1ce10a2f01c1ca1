"""The parameters that shape the demo chain, in one place.

Analyses are tested against these: if the generator builds a relation in, the analysis must
find it within its interval.

Engagement (:data:`ENGAGEMENT`) follows a multilevel model on the 1–5 answer scale::

    latent(person, wave) = grand_mean + store(wave) + team + person + person×wave noise
    store(wave)          = store level − store drift × months before today's month
    answer(item)         = round(clip(latent + item intercept + residual, 1, 5))

:func:`store_engagement` gives the store term for any month, so that the customer-outcome
demos (CSAT, issue 7; repurchase, issue 8) can be generated to rise with it: their log-odds go
up by :data:`CSAT_LOGIT_PER_ENGAGEMENT_SD` and :data:`REPURCHASE_LOGIT_PER_ENGAGEMENT_SD` per
standard deviation of store engagement (``store_engagement(...) / ENGAGEMENT.store_sd``), and
the engagement-outcome linkage analysis must recover a positive relation of that size.

Customers, sales and satisfaction answers (:data:`~ee_app.demo.outcome_params.OUTCOMES`)
follow a model of visits::

    z(store, month)        = store_engagement(seed, [store], months_ago)[store] / store_sd
    P(back within 90 days) = logistic(repurchase_logit + REPURCHASE_LOGIT_PER_ENGAGEMENT_SD·z
                                      + mean staff repurchase effect of the visit's staff)
    P(top-2 CSAT answer)   = logistic(csat_logit + CSAT_LOGIT_PER_ENGAGEMENT_SD·z
                                      + staff CSAT effect of the visit's first staff member)

with z the *same* function of the store and month that the pulse-survey answers are drawn
from, so a linkage analysis of engagement against CSAT or repurchase (issue 8) is checked
against those two constants. See :class:`~ee_app.demo.outcome_params.OutcomeParams` for the
rest.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ee_app.instruments.pulse import THEMES

__all__ = [
    "CSAT_LOGIT_PER_ENGAGEMENT_SD",
    "ENGAGEMENT",
    "REPURCHASE_LOGIT_PER_ENGAGEMENT_SD",
    "SIZES",
    "TRAINING",
    "VISITS",
    "VISIT_LOGIT_PER_ENGAGEMENT_SD",
    "ChainSize",
    "EngagementParams",
    "TrainingParams",
    "VisitParams",
    "seeded_normal",
    "store_engagement",
]


@dataclass(frozen=True)
class ChainSize:
    regions: int
    stores_per_region: int
    staff_per_store: tuple[int, int]  # inclusive range
    leavers_share: float  # share of staff who have left
    movers_share: float  # share of staff with an earlier assignment elsewhere


SIZES: dict[str, ChainSize] = {
    # About 200 staff in 12 stores: a regional chain, the size most demos are viewed at.
    "small": ChainSize(
        regions=3,
        stores_per_region=4,
        staff_per_store=(14, 19),
        leavers_share=0.05,
        movers_share=0.08,
    ),
    # About 10,000 staff in 400 stores: the size benchmarks are run at.
    "chain": ChainSize(
        regions=8,
        stores_per_region=50,
        staff_per_store=(22, 28),
        leavers_share=0.05,
        movers_share=0.05,
    ),
}


@dataclass(frozen=True)
class EngagementParams:
    """Every number that shapes the demo's pulse-survey answers.

    Effects are on the latent scale, which is the 1–5 answer scale before rounding; standard
    deviations (``*_sd``) are of normal distributions with mean zero.
    """

    waves: Mapping[str, int]  # monthly waves per chain size, the last in today's month
    response_rate: tuple[float, float]  # closed waves: final rate, uniform in this range
    open_response_rate: tuple[float, float]  # the open (latest) wave: responded so far
    response_propensity_per_sd: float  # log-weight of responding per SD of latent engagement
    grand_mean: float  # chain mean of the latent engagement
    store_sd: float  # store level (in today's month)
    team_sd: float  # team within store; staff attached to the store itself have none
    person_sd: float  # person within team, stable across waves (moves with the person)
    store_drift_sd: float  # per-store linear trend, per month
    person_wave_sd: float  # person × wave: the month's mood
    item_intercepts: Mapping[str, float]  # per theme, summing to zero (harder themes < 0)
    residual_sd: float  # item × person × wave
    skip_share: float  # share of items left unanswered
    enps_at_mean: float  # expected eNPS answer (0–10) at the grand mean
    enps_per_point: float  # eNPS points per point of latent engagement
    enps_sd: float  # eNPS noise
    enps_skip_share: float
    comment_share: float  # share of respondents who write a comment
    comment_tone_per_point: float  # log-odds of a critical comment fall this much per point
    comments_positive: tuple[str, ...]
    comments_critical: tuple[str, ...]

    def __post_init__(self) -> None:
        if set(self.item_intercepts) != set(THEMES):
            raise ValueError(f"item_intercepts needs exactly the themes {', '.join(THEMES)}.")
        if abs(sum(self.item_intercepts.values())) > 1e-9:
            raise ValueError("item_intercepts must sum to zero (grand_mean is their centre).")
        for name in ("response_rate", "open_response_rate"):
            low, high = getattr(self, name)
            if not 0 < low <= high <= 1:
                raise ValueError(f"{name} must be a range within (0, 1].")
        if not self.comments_positive or not self.comments_critical:
            raise ValueError("Both comment pools need at least one comment.")

    def intercepts(self) -> tuple[float, ...]:
        """Item intercepts in answer-slot order (a01–a12, the order of ``THEMES``)."""
        return tuple(self.item_intercepts[theme] for theme in THEMES)


ENGAGEMENT = EngagementParams(
    waves=MappingProxyType({"small": 6, "chain": 24}),
    response_rate=(0.62, 0.88),
    open_response_rate=(0.56, 0.64),
    response_propensity_per_sd=0.4,
    grand_mean=3.75,
    store_sd=0.25,
    team_sd=0.12,
    person_sd=0.45,
    store_drift_sd=0.03,
    person_wave_sd=0.15,
    item_intercepts=MappingProxyType(
        {
            "expectations": 0.25,
            "resources": -0.10,
            "strengths": 0.05,
            "recognition": -0.40,
            "care": 0.05,
            "development": -0.15,
            "voice": -0.15,
            "purpose": 0.30,
            "quality": 0.10,
            "friendship": 0.35,
            "progress": -0.35,
            "growth": 0.05,
        }
    ),
    residual_sd=0.6,
    skip_share=0.03,
    enps_at_mean=7.2,
    enps_per_point=2.0,
    enps_sd=1.3,
    enps_skip_share=0.02,
    comment_share=0.2,
    comment_tone_per_point=3.0,
    comments_positive=(
        "店长很愿意听大家的想法，有问题能及时解决。",
        "最近的进阶培训很实用，案例分析对接待顾客很有帮助。",
        "同事之间互相帮忙，氛围很好。",
        "看到顾客满意地复购，觉得工作很有意义。",
        "新的预约系统好用多了，爽约的顾客少了。",
        "主管会定期和我聊成长方向，感觉被重视。",
        "服务流程标准清楚，新人上手很快。",
        "这个月产品和耗材备货充足，没有再断货。",
    ),
    comments_critical=(
        "排班太紧，周末经常连续上班，希望能轮休。",
        "新项目上线前培训时间太短，操作还不熟练就要上岗。",
        "玻尿酸和面膜经常断货，顾客预约了却没有产品。",
        "业绩指标压得太重，大家都在推卡，没时间好好服务顾客。",
        "店里的仪器老是出故障，报修后很久才有人来。",
        "做得好的时候很少被表扬，只有出错才会被说。",
        "提的建议没有回音，不知道有没有人在看。",
        "晋升标准不清楚，不知道自己怎样才能升级。",
        "前台高峰期人手不够，顾客等待时间太长。",
        "遇到顾客投诉不知道该找谁，处理流程不清楚。",
        "交接班信息经常遗漏，顾客的偏好记录没人更新。",
        "提成规则改了好几次，算不清自己的收入。",
    ),
)
"""The demo's engagement; see the module docstring for the model."""

#: CSAT (issue 7): log-odds of a satisfied customer per SD of the store's engagement.
CSAT_LOGIT_PER_ENGAGEMENT_SD = 0.35
#: Repurchase (issue 8): log-odds of a repeat purchase per SD of the store's engagement.
REPURCHASE_LOGIT_PER_ENGAGEMENT_SD = 0.25
#: Mystery shopping (issue 5): log-odds of a "yes" on a checklist item per SD of the store's
#: engagement in the month of the visit.
VISIT_LOGIT_PER_ENGAGEMENT_SD = 0.4


@dataclass(frozen=True)
class VisitParams:
    """Every number that shapes the demo's mystery-shopper visits (:mod:`ee_app.demo.visits`).

    Each store gets one service-process visit a month for ``months`` months before the
    current one, and a consultation-compliance visit every ``consultation_every`` months; all
    approved. On each item, "yes" has the probability
    ``logistic(yes_logit + VISIT_LOGIT_PER_ENGAGEMENT_SD·z + store effect)`` (critical items
    start from ``critical_yes_logit``), with z the store's engagement in that month in SD units
    (the same function the pulse answers are drawn from) and the store effect normal with
    ``store_sd``, fixed per store. A 1–5 item's answer is 1 + the number of "yes" in four such
    draws; a choice takes the best option with the same probability, else one of the others.
    Items that allow N/A are N/A with probability ``na_share``. ``staff_recorded_share`` of the
    visits record who served.
    """

    months: int
    consultation_every: int
    yes_logit: float
    critical_yes_logit: float
    store_sd: float
    na_share: float
    staff_recorded_share: float


@dataclass(frozen=True)
class TrainingParams:
    """Every number that shapes the demo's assessments (:mod:`ee_app.demo.training`).

    Abilities are standard normal per employee number; question parameters (two-parameter
    logistic) have discrimination around ``discrimination`` and difficulty normal with
    ``difficulty_mean`` and ``difficulty_sd`` (within 1.5 SD). The question at ``too_easy`` of each
    bank is made one everybody gets right (difficulty −4), the one at ``no_signal`` one that
    tells nobody apart (discrimination 0.05): the item analysis must flag both. Staff hired
    within ``recent_days`` may not have started (``not_started_share``) or, after failing,
    not have come back yet (``retry_later_share``); each retraining between attempts adds
    ``retraining_gain`` to the ability. The quarterly assessment went out
    ``advanced_days_ago`` days ago; ``advanced_taken_share`` of those assigned took it.
    """

    discrimination: float
    difficulty_mean: float
    difficulty_sd: float
    too_easy: int
    no_signal: int
    recent_days: int
    not_started_share: float
    retry_later_share: float
    retraining_gain: float
    advanced_days_ago: int
    advanced_taken_share: float


TRAINING = TrainingParams(
    # Questions that work: about 76% right on average, each between about 59% and 89%, with
    # a rest-of-test correlation of 0.46 or more (issue 16: no unplanted question is itself
    # too easy or weak, so the item analysis's flags can be checked on the plants).
    discrimination=2.2,
    difficulty_mean=-0.9,
    difficulty_sd=0.4,
    too_easy=0,
    no_signal=7,
    recent_days=60,
    not_started_share=0.15,
    retry_later_share=0.4,
    retraining_gain=0.8,
    advanced_days_ago=45,
    advanced_taken_share=0.85,
)


VISITS = VisitParams(
    months=6,
    consultation_every=2,
    yes_logit=2.0,  # 88% "yes" at average engagement
    critical_yes_logit=4.3,  # each critical item fails in about 1.3% of visits
    store_sd=0.35,
    na_share=0.15,
    staff_recorded_share=0.8,
)


def seeded_normal(seed: int, *key: object) -> float:
    """A standard normal number fixed by ``seed`` and ``key`` alone, not by the order of calls.

    So a store's (or a person's) effect is the same whichever other units are generated with
    it. Box–Muller on the SHA-256 of the key.

    >>> seeded_normal(7, "store", "SH01") == seeded_normal(7, "store", "SH01")
    True
    """
    text = ":".join(str(part) for part in (seed, *key))
    digest = hashlib.sha256(text.encode()).digest()
    u1 = (int.from_bytes(digest[:8], "big") + 1) / 2**64  # (0, 1]
    u2 = int.from_bytes(digest[8:16], "big") / 2**64  # [0, 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def store_engagement(
    seed: int,
    store_codes: Iterable[str],
    months_ago: int = 0,
    params: EngagementParams = ENGAGEMENT,
) -> dict[str, float]:
    """Each store's engagement effect (latent scale, deviation from the grand mean) in the
    month ``months_ago`` months before today's, as the demo generated it.

    Deterministic from ``seed`` and the store code. Divide by ``params.store_sd`` for the
    standard-deviation units that :data:`CSAT_LOGIT_PER_ENGAGEMENT_SD` and
    :data:`REPURCHASE_LOGIT_PER_ENGAGEMENT_SD` are expressed in.

    >>> now = store_engagement(7, ["SH01"])["SH01"]
    >>> earlier = store_engagement(7, ["SH01"], months_ago=5)["SH01"]
    >>> round(now - earlier, 6) == round(5 * 0.03 * seeded_normal(7, "store-drift", "SH01"), 6)
    True
    """
    return {
        code: params.store_sd * seeded_normal(seed, "store", code)
        - params.store_drift_sd * seeded_normal(seed, "store-drift", code) * months_ago
        for code in store_codes
    }
