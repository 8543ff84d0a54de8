"""Generated name pools for the demo: people, places, phones. No real person is named here."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

# Common surnames (single characters) with rough relative frequencies.
SURNAMES = ("李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
            "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
            "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文刀岩")
_SURNAME_WEIGHTS = np.concatenate([np.linspace(8.0, 1.0, len(SURNAMES) - 2), [1.5, 1.0]])
SURNAME_P = _SURNAME_WEIGHTS / _SURNAME_WEIGHTS.sum()

MALE_GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国峰亮成志东晨博文轩睿哲昊然豪宏瑞翔航鸿"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞秀燕玲桂丹萍红梅琳雪倩婷颖慧莹晶欣怡佳雨涵萱诗悦彤馨妍琪瑶露月茜蕊菲璐"
NEUTRAL_GIVEN = "子一嘉梓思若可安心语天晓家欣雅乐清金玉春秋云海"
# Dai-style personal names: 岩 (male) or 玉 (female) followed by one syllable, no surname.
DAI_SYLLABLES = "温香罕叫光坎南应帕囡庄拉甩论胆章喃依旺嫩药书坦腊康丙香波应恩"

MOBILE_PREFIXES = tuple(f"13{d}" for d in range(10)) + ("150", "151", "152", "153", "155", "156", "157", "158",
                                                       "159", "180", "181", "182", "183", "184", "185", "186",
                                                       "187", "188", "189", "191", "193", "195", "198", "199")

PLACE_SYLLABLES = "澜沧平安宁河源川江云龙泉石桥华新兴丰泰福德盛阳明清西东南中和永宏景昌富临双溪林湖峰岭凤鹤嘉禾茂瑞通远长乐崇宣"
DAI_VILLAGE_SYLLABLES = "短贺景列弄真董迈勒么峦扎糯拉板别井冈宋养坝岗囡纳回赛闷达亮养丙歪"
MOUNTAIN_VILLAGE_FIRST = "南帕贺回那坝章老新曼邦"


def person_names(rng: np.random.Generator, male: np.ndarray, dai_share: float = 0.0) -> list[str]:
    """Generated personal names (surname + one or two given characters, or a Dai-style name)."""
    n = len(male)
    surname = rng.choice(len(SURNAMES), size=n, p=SURNAME_P)
    two = rng.random(n) < 0.72
    dai = rng.random(n) < dai_share
    g1 = rng.random(n)
    g2 = rng.random(n)
    neutral = rng.random(n) < 0.25
    dai_syl = rng.integers(0, len(DAI_SYLLABLES), n)
    out: list[str] = []
    for i in range(n):
        if dai[i]:
            out.append(("岩" if male[i] else "玉") + DAI_SYLLABLES[dai_syl[i]])
            continue
        pool = MALE_GIVEN if male[i] else FEMALE_GIVEN
        first = (NEUTRAL_GIVEN if neutral[i] else pool)
        given = first[int(g1[i] * len(first))]
        if two[i]:
            given += pool[int(g2[i] * len(pool))]
        out.append(SURNAMES[surname[i]] + given)
    return out


def guardian_names(rng: np.random.Generator, child_names: list[str]) -> list[str]:
    """A parent's generated name for each child: the father's shares the child's surname."""
    n = len(child_names)
    father = rng.random(n) < 0.6
    own = person_names(rng, father, dai_share=0.0)
    out = []
    for i, child in enumerate(child_names):
        if child[0] in "岩玉" and len(child) == 2:  # Dai-style child: Dai-style parent
            out.append(("岩" if father[i] else "玉") + DAI_SYLLABLES[(ord(own[i][-1]) * 7) % len(DAI_SYLLABLES)])
        elif father[i]:
            out.append(child[0] + own[i][1:])
        else:
            out.append(own[i])
    return out


def mobile_phones(rng: np.random.Generator, n: int) -> list[str]:
    """Random 11-digit mainland mobile numbers (generated, not looked up)."""
    prefix = rng.integers(0, len(MOBILE_PREFIXES), n)
    rest = rng.integers(0, 10 ** 8, n)
    return [MOBILE_PREFIXES[p] + f"{r:08d}" for p, r in zip(prefix.tolist(), rest.tolist())]


def unique_names(rng: np.random.Generator, n: int, make: Callable[[np.random.Generator], str],
                 taken: set[str] | None = None) -> list[str]:
    """n distinct names drawn from a callable `make(rng) -> str`, avoiding `taken`."""
    seen = set(taken or ())
    out: list[str] = []
    for _ in range(n * 200):
        if len(out) == n:
            break
        name = make(rng)
        if name not in seen:
            seen.add(name)
            out.append(name)
    if len(out) < n:
        raise RuntimeError("name pool exhausted")
    return out


def _pick(rng: np.random.Generator, pool: str) -> str:
    return pool[int(rng.integers(0, len(pool)))]


def place_stem(rng: np.random.Generator) -> str:
    """Two syllables for a county, prefecture or township name."""
    return _pick(rng, PLACE_SYLLABLES) + _pick(rng, PLACE_SYLLABLES)


def village_name(rng: np.random.Generator, dai_style: bool) -> str:
    """A generated village name (曼X村 in Dai areas, else two syllables + 村)."""
    if dai_style:
        return "曼" + _pick(rng, DAI_VILLAGE_SYLLABLES) + "村"
    return _pick(rng, MOUNTAIN_VILLAGE_FIRST) + _pick(rng, PLACE_SYLLABLES) + "村"
