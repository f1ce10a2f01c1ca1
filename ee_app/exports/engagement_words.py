"""The words of the engagement files, in English and Chinese: sheet and column names, the
short names of the themes and of the filter values, and the notes on how to read the figures.
"""

from __future__ import annotations

from ee_app.config import LANGUAGES

__all__ = ["TEXT", "THEME_NAMES", "VALUE_NAMES", "words"]

#: Short names of the twelve themes, in :data:`ee_app.instruments.pulse.THEMES` order.
THEME_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "expectations": "Clear expectations",
        "resources": "Tools and materials",
        "strengths": "Using strengths",
        "recognition": "Recognition",
        "care": "Someone cares",
        "development": "Development",
        "voice": "Opinions count",
        "purpose": "Meaningful work",
        "quality": "Quality-minded colleagues",
        "friendship": "Close colleague",
        "progress": "Progress talks",
        "growth": "Learning and growth",
    },
    "zh-CN": {
        "expectations": "明确期望",
        "resources": "工具与物料",
        "strengths": "发挥所长",
        "recognition": "认可表扬",
        "care": "被关心",
        "development": "成长支持",
        "voice": "意见被重视",
        "purpose": "工作意义",
        "quality": "同事重质量",
        "friendship": "知心同事",
        "progress": "进步反馈",
        "growth": "学习成长",
    },
}

TEXT: dict[str, dict[str, str]] = {
    "zh-CN": {
        "results": "结果",
        "themes": "维度",
        "own": "自定义题目",
        "question": "题目",
        "mean": "平均分",
        "answers": "回答人数",
        "own_change": "变化（较上期同一题目）",
        "read_own": (
            "自定义题目：本期问卷中HR自行添加的题目，1–5分，不计入敬业度指数和认同率；"
            "回答少于{k}人（或为保护更小的群体）时留空。只有上一期问过完全相同的题目时才显示变化。"
        ),
        "about": "说明",
        "hidden": "少于{k}人",
        "code": "{level}代码",
        "name": "{level}",
        "n": "回复人数",
        "index": "敬业度指数",
        "favourable": "认同率",
        "enps": "员工净推荐值 (eNPS)",
        "change": "变化（较上期）",
        "since": "变化对比的调研批次",
        "percentile": "高于同级其他单位的比例（%）",
        "low": "{metric} 区间下限",
        "percent": "（%）",
        "high": "{metric} 区间上限",
        "theme_n": "各维度回答人数",
        "theme_n_suffix": "{theme}（人数）",
        "level_region": "区域",
        "level_store": "门店",
        "level_team": "小组",
        "level_brand": "品牌",
        "dim_role": "岗位",
        "dim_band": "司龄段",
        "none": "无",
        "wave_code": "调研批次代码",
        "wave_name": "调研批次名称",
        "level": "汇总层级",
        "filter": "筛选",
        "k": "匿名保护门槛（最少人数）k",
        "k_comments": "留言显示门槛（最少人数）k_c",
        "previous": "对比的上一期",
        "previous_own": "各单位对比其自身的上一期（同一方式、覆盖该单位的最近一期）",
        "alpha": "信度（Cronbach's alpha，全期）",
        "alpha_low": "信度 区间下限",
        "alpha_high": "信度 区间上限",
        "alpha_n": "信度所用回复数",
        "units": "本文件中的单位数",
        "hidden_units": "其中不显示",
        "generated": "生成日期",
        "how": "如何阅读",
        "read_index": (
            "敬业度指数：对12个敬业度维度题目所有回答的平均分；"
            "1–5分（非常不同意=1，非常同意=5）。任一维度被隐藏时，指数和认同率一并隐藏。"
        ),
        "read_favourable": "认同率：回答“同意”或“非常同意”（4–5分）的占比。",
        "read_enps": (
            "员工净推荐值 (eNPS)：推荐者（9–10分）占比减去贬损者（0–6分）占比，范围 −100 到 100。"
        ),
        "read_interval": (
            "区间为95%置信区间：人数越少，区间越宽。变化的区间跨过0时，这一变化可能只是偶然。"
            "变化是与该单位自己的上一期相比：同一方式（匿名或实名保密）、问到该单位全体人员的最近一期，"
            "见“变化对比的调研批次”列；各单位的上一期可能不同。"
            "“高于同级其他单位的比例”是本品牌同一层级的其他单位中指数低于该单位的比例（持平算一半），"
            "没有其他同级单位时留空；没有外部常模。"
        ),
        "read_hidden": (
            "“少于{k}人”表示该单位不显示任何数字：回复少于{k}人，或为保护另一个更小的群体而隐藏"
            "（否则可由上级总数减去其他单位推算出来），或筛选后的群体或门店其余人员少于{k}人。"
            "空白格表示没有可比较的数据或该项单独隐藏。"
        ),
    },
    "en": {
        "results": "Results",
        "themes": "Themes",
        "own": "Own questions",
        "question": "Question",
        "mean": "Mean",
        "answers": "Answers (n)",
        "own_change": "Change vs the same question last wave",
        "read_own": "Own questions: the questions HR added to this wave's questionnaire, on "
        "the 1–5 scale; they are not part of the engagement index or % favourable. A cell is "
        "empty where fewer than {k} answered (or to protect a smaller group). A change is shown "
        "only where the unit's previous wave asked exactly the same question.",
        "about": "About",
        "hidden": "fewer than {k}",
        "code": "{level} code",
        "name": "{level}",
        "n": "Respondents (n)",
        "index": "Engagement index",
        "favourable": "% favourable",
        "enps": "eNPS",
        "change": "Change vs previous wave",
        "since": "Change since wave",
        "percentile": "Better than (% of the other units of this level)",
        "low": "{metric}: 95% low",
        "percent": "",
        "high": "{metric}: 95% high",
        "theme_n": "Answers per theme (n)",
        "theme_n_suffix": "{theme} (n)",
        "level_region": "Region",
        "level_store": "Store",
        "level_team": "Team",
        "level_brand": "Brand",
        "dim_role": "role",
        "dim_band": "tenure band",
        "none": "none",
        "wave_code": "Wave code",
        "wave_name": "Wave name",
        "level": "Level",
        "filter": "Filter",
        "k": "Anonymity threshold (k)",
        "k_comments": "Comment threshold (k_c)",
        "previous": "Compared with wave",
        "previous_own": "each unit's own previous wave of the same mode that asked it",
        "alpha": "Cronbach's alpha (whole wave)",
        "alpha_low": "Cronbach's alpha: 95% low",
        "alpha_high": "Cronbach's alpha: 95% high",
        "alpha_n": "Responses used for alpha",
        "units": "Units in this file",
        "hidden_units": "Of which hidden",
        "generated": "Generated on",
        "how": "How to read it",
        "read_index": "Engagement index: the average of every answer to the 12 engagement "
        "theme questions, on the 1–5 scale (1 strongly disagree, 5 strongly agree). Where one "
        "theme is hidden, the index and % favourable are hidden with it.",
        "read_favourable": "% favourable: the share of answers of 4–5 (agree or strongly agree).",
        "read_enps": "eNPS: % promoters (9–10) minus % detractors (0–6), from −100 to 100.",
        "read_interval": "Intervals are 95%: the fewer respondents, the wider. A change whose "
        "interval crosses 0 may be chance. A change is against the unit's own previous wave: the "
        "most recent one of the same mode (anonymous or confidential) that asked the whole unit, "
        "named in the “Change since wave” column; units may differ. “Better than” is the share "
        "of the other units of the same level in this chain with a lower index (a tie counts "
        "half), blank where there is no other; there are no outside norms.",
        "read_hidden": "“fewer than {k}” means the unit shows no numbers: fewer than {k} "
        "answered, or it is hidden to protect a smaller group (which could otherwise be worked "
        "out by subtraction from the total above it), or a filtered group or the rest of its "
        "store is below {k}. An empty cell means there is nothing to compare with, or that one "
        "score alone is hidden.",
    },
}

VALUE_NAMES = {
    "zh-CN": {
        "beautician": "美容师",
        "consultant": "咨询师",
        "doctor": "医生",
        "nurse": "护士",
        "front_desk": "前台",
        "store_manager": "店长",
        "lt1": "不满1年",
        "1to3": "1–3年",
        "3to5": "3–5年",
        "5plus": "5年以上",
    },
    "en": {
        "front_desk": "front desk",
        "store_manager": "store manager",
        "lt1": "under 1 year",
        "1to3": "1–3 years",
        "3to5": "3–5 years",
        "5plus": "5 years or more",
    },
}


def words(language: str) -> dict[str, str]:
    """The words of the files in ``language``; a language the app does not speak is a fault."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    return TEXT[language]
