"""Secrets from the environment, and OAuth2 client-credentials tokens from Entra ID.

``MsalTokens`` asks msal's ``ConfidentialClientApplication`` for an app-only
token. msal keeps the token in its in-memory cache until shortly before it
expires, so ``token()`` is cheap to call before every login or request; a
fresh one is fetched only when the cached one is about to run out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Protocol

from cme.config import MailboxConfig
from watcher.mailbox import MailboxError

OUTLOOK_SCOPE = "https://outlook.office365.com/.default"  # IMAP, SMTP and EWS
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
MICROSOFT_AUTHORITIES = ("https://login.microsoftonline.com", "https://login.microsoftonline.us",
                         "https://login.partner.microsoftonline.cn")


class TokenProvider(Protocol):
    def token(self) -> str:
        """A valid access token (raises ``MailboxError`` when none can be had)."""
        ...


def secret(env_name: str, what: str, environ: Mapping[str, str] | None = None) -> str:
    """The secret held by environment variable ``env_name``; ``what`` names it in errors."""
    value = (os.environ if environ is None else environ).get(env_name, "")
    if not env_name or not value:
        raise MailboxError(f"{what}: environment variable {env_name or '(none named)'} is not set")
    return value


class MsalTokens:
    """App-only tokens for ``scope`` from the [mailbox] tenant, client id and secret."""

    def __init__(self, config: MailboxConfig, scope: str, *,
                 environ: Mapping[str, str] | None = None, http_client: Any = None) -> None:
        if not config.tenant or not config.client_id:
            raise MailboxError("oauth2: [mailbox] tenant and client_id must be set")
        self.scope = config.scope or scope
        self._secret = secret(config.client_secret_env, "oauth2 client secret", environ)
        self._config = config
        self._http_client = http_client
        self._app: Any = None

    def _application(self) -> Any:
        if self._app is None:
            import msal

            extra: dict[str, Any] = {}
            if self._http_client is not None or self._config.ca_file:
                extra["http_client"] = self._http_client or _trusting(self._config.ca_file)
            if not self._config.authority.startswith(MICROSOFT_AUTHORITIES):
                extra["instance_discovery"] = False  # a host Microsoft's list does not know
            try:
                self._app = msal.ConfidentialClientApplication(
                    self._config.client_id,
                    client_credential=self._secret,
                    authority=f"{self._config.authority.rstrip('/')}/{self._config.tenant}",
                    **extra,
                )
            except Exception as exc:  # msal raises ValueError and requests' errors
                raise MailboxError(f"oauth2: cannot reach the authority: {exc}") from exc
        return self._app

    def token(self) -> str:
        try:
            result = self._application().acquire_token_for_client(scopes=[self.scope])
        except MailboxError:
            raise
        except Exception as exc:
            raise MailboxError(f"oauth2: token request failed: {exc}") from exc
        if "access_token" not in result:
            reason = result.get("error_description") or result.get("error") or "no token"
            raise MailboxError(f"oauth2: {str(reason).splitlines()[0]}")
        return str(result["access_token"])


def _trusting(ca_file: object) -> Any:
    """A requests Session (msal's HTTP client) that trusts the site's CA file.

    Set per request: a Session's own ``verify`` loses to $REQUESTS_CA_BUNDLE.
    """
    import functools

    import requests

    session = requests.Session()
    session.request = functools.partial(session.request, verify=str(ca_file))  # type: ignore[method-assign]
    return session


class StaticToken:
    """A fixed token: for servers on loopback in the tests, and for a token made elsewhere."""

    def __init__(self, value: str) -> None:
        self.value = value

    def token(self) -> str:
        return self.value
