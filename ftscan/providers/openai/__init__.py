"""OpenAI: fine-tuning jobs, fine-tuned models, the checkpoints code names and (with an admin
key) usage for ``ftscan reconcile`` (:mod:`.api`); job creation by OpenAI's own rule
(:mod:`.job_creation`); and the one provider ``ftscan recipes export`` saves recipes from,
since its job creation ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from ftscan.lifecycle import LifecycleTable
from ftscan.providers.base import Access, Provider, ProviderState, RecipeSource, Session, Variable
from ftscan.providers.credentials import optional, required, url
from ftscan.providers.openai import api, job_creation
from ftscan.reconcile.model import Eligibility

DEFAULT_URL = "https://api.openai.com/v1"
_HEADERS = (("OPENAI_ORG_ID", "OpenAI-Organization"), ("OPENAI_PROJECT_ID", "OpenAI-Project"))


class OpenAI:
    name = api.NAME
    key_variable = "OPENAI_API_KEY"
    environment: tuple[Variable, ...] = (
        Variable("OPENAI_API_KEY", "the key for fine-tuning jobs, files and models (a project "
                                   "key works; Reader access is enough)"),
        Variable("OPENAI_ADMIN_KEY", "optional: an organisation admin key, for the usage API "
                                     "that gives each fine-tune's last inference date"),
        Variable("OPENAI_BASE_URL", f"optional, default {DEFAULT_URL}"),
        Variable("OPENAI_ORG_ID", "optional: sent as OpenAI-Organization"),
        Variable("OPENAI_PROJECT_ID", "optional: sent as OpenAI-Project"),
    )

    def access(self, environ: Mapping[str, str]) -> Access:
        key = required(environ, self, "OPENAI_API_KEY")
        headers = {"Authorization": f"Bearer {key}"}
        for variable, header in _HEADERS:
            value = optional(environ, variable)
            if value is not None:
                headers[header] = value
        base_url = url(environ, "OPENAI_BASE_URL", DEFAULT_URL)
        admin_key = optional(environ, "OPENAI_ADMIN_KEY")
        admin = Access(self.name, base_url, {"Authorization": f"Bearer {admin_key}"},
                       "OPENAI_ADMIN_KEY (an organisation admin key)") if admin_key else None
        return Access(self.name, base_url, headers, "OPENAI_API_KEY", admin=admin)

    def read_state(self, access: Access, session: Session, today: dt.date,
                   checkpoint_ids: Collection[str]) -> ProviderState:
        admin = session.client(access.admin) if access.admin is not None else None
        return api.read_state(api.OpenAIApi(session.client(access), admin, session.progress),
                              today, checkpoint_ids)

    def eligibility(self, state: ProviderState, table: LifecycleTable,
                    as_of: dt.date) -> Eligibility:
        return job_creation.eligibility(state, table, as_of)

    def recipes(self, access: Access, session: Session) -> RecipeSource:
        return api.OpenAIApi(session.client(access), None, session.progress)


PROVIDER: Provider = OpenAI()
