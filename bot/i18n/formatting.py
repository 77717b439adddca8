"""Numbers, durations and dates the way each language writes them (Babel's CLDR data), for
what Discord's own ``<t:…>`` timestamps do not already show in each reader's language."""

from __future__ import annotations

import datetime

from babel import dates, numbers, units

from bot.i18n.locales import babel_locale


def number(language: str, value: float, *, decimals: int | None = None) -> str:
    """``1,234.5`` / ``1.234,5`` / ``1 234,5``; ``decimals`` fixes the digits after the point."""
    locale = babel_locale(language)
    if decimals is None:
        return numbers.format_decimal(value, locale=locale)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return numbers.format_decimal(value, format=pattern, locale=locale)


def percent(language: str, ratio: float) -> str:
    """``95%`` / ``95 %`` / ``%95``: a whole percentage the language's way."""
    text: str = numbers.format_percent(ratio, locale=babel_locale(language))
    return text


def decimal_sign(language: str) -> str:
    """``.`` / ``,``: for a number already cut to its digits elsewhere."""
    sign: str = numbers.get_decimal_symbol(babel_locale(language))
    return sign


def duration(language: str, seconds: float, *, threshold: float = 0.85) -> str:
    """``3 hours`` / ``3 Stunden`` / ``3 часа``: a rounded length of time."""
    return dates.format_timedelta(
        datetime.timedelta(seconds=seconds),
        threshold=threshold,
        format="long",
        locale=babel_locale(language),
    )


def unit(language: str, value: int, name: str) -> str:
    """``5 min`` / ``5 Min.`` / ``5 мин``: a CLDR unit (``duration-minute``…) in its short form."""
    text: str = units.format_unit(value, name, length="short", locale=babel_locale(language))
    return text
