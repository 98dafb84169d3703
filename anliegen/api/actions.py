import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anliegen.accounts.models import User
from anliegen.api.models import ApiToken

TOKEN_PREFIX = "anl_"


class TokenError(ValueError):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the plain text is returned once and never stored."""
    name = name.strip()
    if not name:
        raise TokenError(_("Give the token a name, e.g. the system that uses it."))
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=plain[:12], token_hash=hash_token(plain))
    return token, plain


@transaction.atomic
def revoke_token(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def user_for_token(plain: str) -> User | None:
    token = (ApiToken.objects.select_related("user")
             .filter(token_hash=hash_token(plain), revoked_at__isnull=True).first())
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
