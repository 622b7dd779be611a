"""Schemathesis against the API's OpenAPI schema (engine on fakes): every response conforms, no 5xx.

A bounded number of generated requests per route keeps it to seconds.
"""
from __future__ import annotations

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from langchain_core.messages import AIMessage

from rag.api import create_app
from rag.engine import Engine

from .fakes import ScriptedChat


@pytest.fixture
def api_schema(settings, fake_embedder):
    chat = ScriptedChat(messages=itertools.repeat(AIMessage("Le phare mesure 42 mètres [1].")))
    eng = Engine(settings, embedder=fake_embedder, chat_model=chat)
    eng.ensure_index()
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(eng))


def test_api_conforms_to_its_schema(api_schema):
    # a schema-valid question can still be unusable (only invisible characters): a documented 422
    from schemathesis.checks import positive_data_acceptance

    tested = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(excluded_checks=[positive_data_acceptance])
        check()
        tested.append(operation.label)
    assert {"POST /search", "POST /ask", "POST /quote", "POST /v1/chat/completions", "GET /health"} <= set(tested)
