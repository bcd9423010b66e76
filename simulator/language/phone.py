"""Phone numbers as trainees type or dictate them, compared and classified.

A message form may say "0971 234567", "+39 0971 234567" or "zero nove sette uno..."; scoring
compares them as E.164. The class of a number (internal, mobile, premium...) decides whether an
outgoing call is allowed by the authorisation table.
"""

from __future__ import annotations

import re

import phonenumbers

from simulator.language.normalise import normalise
from simulator.model import CallClass

# Language used to read spoken digits, by region; anything else reads digits only.
_REGION_LANGUAGE = {
    "IT": "it",
    "SM": "it",
    "VA": "it",
    "CH": "it",
    "GB": "en",
    "IE": "en",
    "US": "en",
    "FR": "fr",
    "BE": "fr",
    "DE": "de",
    "AT": "de",
    "ES": "es",
}
_SPOKEN_PLUS = frozenset({"piu", "plus", "mas"})
_LEADING_PLUS = re.compile(r"^\s*\+")
# Italian premium-rate and value-added prefixes (national significant number).
_IT_PREMIUM = ("89", "166", "144")
_SHORTEST_NUMBER = 6


def normalise_phone(text: str, region: str = "IT") -> str | None:
    """Return ``text`` as an E.164 number ("+390971234567"), or None if it is not one.

    Accepts separators, a "+" or "00" international prefix and digits said in words
    ("zero nove sette uno..."). Extensions and other short codes are not phone numbers.

    Args:
        text: The number as typed or recognised.
        region: ISO 3166 region for numbers dialled without a country code.
    """
    dial = _dial_string(text, region)
    if len(dial.lstrip("+")) < _SHORTEST_NUMBER:
        return None
    parsed = _parse(dial, region)
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def same_phone(first: str, second: str, region: str = "IT") -> bool:
    """Return True when two numbers, in any accepted writing, dial the same line.

    Short numbers (extensions) compare by their digits: "214" is "due uno quattro".
    """
    first_number = normalise_phone(first, region)
    second_number = normalise_phone(second, region)
    if first_number is not None or second_number is not None:
        return first_number == second_number
    first_dial, second_dial = _dial_string(first, region), _dial_string(second, region)
    return bool(first_dial) and first_dial == second_dial


# Numbers any phone may call, whatever the authorisation table says (NUE 112 and the services
# it replaces: police 113, fire 115, medical 118, coast guard 1530).
_IT_EMERGENCY = frozenset({"112", "113", "115", "118", "1530"})


def call_class(number: str, region: str = "IT", *, home: str | None = None) -> CallClass:
    """Return the class of call that dialling ``number`` makes, for the authorisation table.

    Args:
        number: As typed or dictated.
        region: Region of the switchboard.
        home: The switchboard's own number: a number in its area code is "local". Without it,
            geographic numbers are "national" unless dialled without an area code.

    Raises:
        ValueError: ``number`` holds no digits.
    """
    dial = _dial_string(number, region)
    if not dial.lstrip("+"):
        raise ValueError(f"Numero non valido: '{number}' / not a phone number: '{number}'")
    if region == "IT" and dial in _IT_EMERGENCY:
        return CallClass.EMERGENCY
    if not dial.startswith(("+", "00")) and 2 <= len(dial) <= 5:
        return CallClass.INTERNAL
    parsed = _parse(dial, region)
    if parsed is None:
        return CallClass.NATIONAL
    if parsed.country_code != phonenumbers.country_code_for_region(region):
        return CallClass.INTERNATIONAL
    national = phonenumbers.national_significant_number(parsed)
    number_type = phonenumbers.number_type(parsed)
    if region == "IT" and national.startswith(_IT_PREMIUM):
        return CallClass.PREMIUM
    if number_type == phonenumbers.PhoneNumberType.PREMIUM_RATE:
        return CallClass.PREMIUM
    if (region == "IT" and national.startswith("3")) or number_type in (
        phonenumbers.PhoneNumberType.MOBILE,
    ):
        return CallClass.MOBILE
    if _same_area(parsed, home, region):
        return CallClass.LOCAL
    if region == "IT" and not national.startswith(("0", "8")):
        # Dialled without an area code, as on an old exchange: a local call.
        return CallClass.LOCAL
    return CallClass.NATIONAL


def _dial_string(text: str, region: str) -> str:
    """Return the digits of ``text`` with a leading "+" if it asks for one."""
    plus = bool(_LEADING_PLUS.match(text))
    if any(character.isalpha() for character in text):
        words = normalise(text, _REGION_LANGUAGE.get(region.upper(), "en")).split()
        if words and words[0] in _SPOKEN_PLUS:
            plus = True
        text = " ".join(words)
    digits = "".join(character for character in text if character.isascii() and character.isdigit())
    return f"+{digits}" if plus and digits else digits


def _parse(dial: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(dial, region.upper())
    except phonenumbers.NumberParseException:
        return None


def _same_area(parsed: phonenumbers.PhoneNumber, home: str | None, region: str) -> bool:
    if home is None:
        return False
    home_parsed = _parse(_dial_string(home, region), region)
    if home_parsed is None or home_parsed.country_code != parsed.country_code:
        return False
    length = phonenumbers.length_of_geographical_area_code(home_parsed)
    if length == 0:
        return False
    home_national = phonenumbers.national_significant_number(home_parsed)
    national = phonenumbers.national_significant_number(parsed)
    return national[:length] == home_national[:length]
