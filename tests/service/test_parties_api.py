"""The admin's party API: what a new party may read the hotline in."""

from __future__ import annotations

import pytest
from tests.service.conftest import Hotline, assert_problem


@pytest.mark.parametrize(("lang", "status"), [("he", 201), ("tr", 201), ("fr", 422), ("EN", 422)])
def test_a_party_reads_a_language_of_the_catalogue(
    hotline: Hotline, lang: str, status: int
) -> None:
    response = hotline.client.post(
        "/v1/parties", json={"name": "DELTA", "lang": lang}, headers=hotline.admin
    )
    assert response.status_code == status, response.text
    if status == 422:
        problem = assert_problem(response, 422)
        assert problem["field"] == "lang"
        assert "en, ru, ar, he, tr" in problem["detail"]
