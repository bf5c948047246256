"""Password hashing (scrypt, through Werkzeug) and the password policy."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 200

# Frequently breached passwords at or above the minimum length (from public breach lists), and the
# patterns people type to reach a length rule. Compared case-insensitively.
COMMON = frozenset(
    """
    1234567890 0123456789 0987654321 9876543210 12345678910 123456789a 1234567890a 1234567890q
    1111111111 0000000000 1212121212 1234512345 123123123123 1122334455 1029384756 1qaz2wsx3edc
    qwertyuiop qwertyuiop1 qwertyuiop123 qwerty1234 qwerty12345 qwerty123456 1q2w3e4r5t 1q2w3e4r5t6y
    zaq12wsx34 asdfghjkl1 asdfghjkl; zxcvbnm123 zxcvbnmasd qazwsxedcrfv abcdefghij abcdefghijk
    abcd123456 abc1234567 a123456789 aa12345678 password12 password123 password1234 password12345
    password01 password99 password2020 password2021 password2022 password2023 password2024
    password2025 passw0rd123 p@ssw0rd123 p@ssword123 passwordpassword mypassword mypassword1
    iloveyou12 iloveyou123 iloveyou1234 football123 football1234 baseball123 basketball liverpool1
    liverpool123 chelsea123 arsenal123 manchester manchesterunited sunshine12 sunshine123 princess12
    princess123 monkey12345 dragon1234 starwars123 superman123 batman1234 trustno1234 letmein123
    letmein1234 welcome123 welcome1234 welcome2024 welcome2025 changeme12 changeme123 administrator
    admin12345 admin123456 adminadmin computer12 internet12 whatever12 charlie123 michael123
    jennifer12 jessica123 samantha12 elizabeth1 chocolate1 butterfly1 strawberry blink182182
    headteacher teacher123 teaching123 school1234 school12345 schoolschool education1 education123
    """.split()  # noqa: SIM905
)


def hash_password(password: str) -> str:
    """Return a salted scrypt hash of `password`."""
    return generate_password_hash(password, method="scrypt")


def check_password(password_hash: str | None, password: str) -> bool:
    """Say whether `password` matches; a missing hash never matches."""
    if not password_hash:
        return False
    return check_password_hash(password_hash, password)


# A real hash to compare against when the account does not exist, so timing does not tell.
_DUMMY_HASH = hash_password("not-a-real-password-0")


def check_nothing(password: str) -> bool:
    """Spend the time of a real check, for unknown accounts; always False."""
    check_password_hash(_DUMMY_HASH, password)
    return False


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Return why `password` is not acceptable, or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if lowered in COMMON or len(set(lowered)) <= 2:
        return "Password is too common: choose one that is harder to guess"
    if _is_sequence(lowered):
        return "Password is too easy to guess: avoid runs like 1234567890 or abcdefghij"
    local = email.lower().partition("@")[0]
    if (local and len(local) >= 4 and local in lowered) or (name and lowered == name.lower()):
        return "Password must not contain your email address or name"
    return None


def _is_sequence(text: str) -> bool:
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return len(steps) == 1 and steps.pop() in (-1, 1)
