"""The HTTP API over real HTTP: a uvicorn server around the real Assistant over the seeds."""

from __future__ import annotations

import os
import time

import httpx
import pytest

from qa.answer.contract import Answer, Passage

pytestmark = pytest.mark.slow

QUESTIONS = [
    "推动区域间联动融合发展面临哪些难点？",
    "推動區域間聯動融合發展面臨哪些難點？",
    "内涵式发展有哪些关键特征？",
    "What are the practical paths for improving the regional coordinated development mechanism?",
]
KEY, OTHER_KEY = "test-key-0123456789", "rotated-key-9876543210"


@pytest.fixture(scope="module")
def server(serve):
    return serve()


@pytest.fixture(scope="module")
def http(server) -> httpx.Client:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def texts(http) -> dict[str, str]:
    ids = [d["doc_id"] for d in http.get("/api/documents").json()["documents"]]
    return {doc_id: http.get(f"/api/documents/{doc_id}").json()["text"] for doc_id in ids}


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"]
    if code:
        assert error["code"] == code
    return error


def assert_grounded(item: dict, texts: dict[str, str]) -> None:
    assert texts[item["doc_id"]][item["start"] : item["end"]] == item["text"], item


def test_health(http) -> None:
    body = http.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["documents"] == 3 and body["chunks"] > 0
    assert body["model"] and body["built_at"]


def test_ask_returns_the_contract(http) -> None:
    response = http.post("/api/ask", json={"question": QUESTIONS[0]})
    assert response.status_code == 200
    answer = Answer.model_validate(response.json())
    assert answer.question == QUESTIONS[0]
    assert not answer.abstained and answer.sentences and answer.citations
    assert {s.citation for s in answer.sentences} <= {c.id for c in answer.citations}
    assert answer.timing_ms.total > 0


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_quote_and_citation_is_grounded(http, texts, question: str) -> None:
    answer = http.post("/api/ask", json={"question": question, "top_k": 5}).json()
    for item in answer["sentences"] + answer["citations"] + answer["passages"]:
        assert_grounded(item, texts)
    assert len(answer["passages"]) <= 5


def test_follow_up_with_history(http, texts) -> None:
    body = {"question": "那么实践进路有哪些？", "history": [{"question": "内涵式发展有哪些关键特征？"}]}
    response = http.post("/api/ask", json=body)
    assert response.status_code == 200
    answer = Answer.model_validate(response.json())
    for item in answer.sentences + answer.citations:
        assert_grounded(item.model_dump(), texts)


def test_search(http, texts) -> None:
    response = http.post("/api/search", json={"query": "破除区域壁垒和市场分割", "top_k": 3})
    assert response.status_code == 200
    passages = [Passage.model_validate(p) for p in response.json()["passages"]]
    assert 0 < len(passages) <= 3
    for p in passages:
        assert_grounded(p.model_dump(), texts)


def test_documents(http, texts) -> None:
    documents = http.get("/api/documents").json()["documents"]
    assert {d["doc_id"] for d in documents} == set(texts)
    for d in documents:
        assert d["title"] and d["chars"] == len(texts[d["doc_id"]])


def test_unknown_document_and_route(http) -> None:
    assert_error(http.get("/api/documents/no-such-doc"), 404, "document_not_found")
    assert_error(http.get("/api/no-such-route"), 404, "not_found")
    assert_error(http.get("/api/ask"), 405, "method_not_allowed")


MAX = 500  # Settings.max_question_chars, the documented default


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"question": ""}, "invalid_request"),
        ({"question": " \t\n　"}, "invalid_request"),
        ({"question": "问" * (MAX + 1)}, "question_too_long"),
        ({"question": 42}, "invalid_request"),
        ({"question": ["a"]}, "invalid_request"),
        ({}, "invalid_request"),
        ({"question": "难点？", "top_k": 0}, "invalid_request"),
        ({"question": "难点？", "top_k": "5"}, "invalid_request"),
        ({"question": "难点？", "history": "earlier"}, "invalid_request"),
        ({"question": "难点？", "history": [{"question": "  "}]}, "invalid_request"),
    ],
)
def test_invalid_questions_are_422(http, body: dict, code: str) -> None:
    assert_error(http.post("/api/ask", json=body), 422, code)


def test_malformed_json_is_422(http) -> None:
    response = http.post("/api/ask", content=b'{"question": "x"', headers={"content-type": "application/json"})
    assert_error(response, 422, "invalid_json")
    assert_error(http.post("/api/search", json={"query": "   "}), 422)


def test_question_at_the_limit_is_accepted(http) -> None:
    assert http.post("/api/ask", json={"question": "区域协调发展" * (MAX // 6)}).status_code == 200


def test_huge_body_is_413(http) -> None:
    huge = b'{"question": "' + b"x" * 200_000 + b'"}'
    response = http.post("/api/ask", content=huge, headers={"content-type": "application/json"})
    assert_error(response, 413, "payload_too_large")

    def chunks():  # no Content-Length: counted while streaming
        yield b'{"question": "'
        for _ in range(20):
            yield b"x" * 10_000
        yield b'"}'

    response = http.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert_error(response, 413, "payload_too_large")


def test_openapi_schema(http) -> None:
    spec = http.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/ask", "/api/search", "/api/documents", "/api/documents/{doc_id}", "/api/health"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert {"sentences", "citations", "passages", "abstained"} <= set(schemas["Answer"]["properties"])
    assert schemas["AskRequest"]["properties"]["question"]["maxLength"] == MAX
    assert "推动区域间联动融合发展面临哪些难点？" in str(schemas["AskRequest"])
    ask = spec["paths"]["/api/ask"]["post"]
    assert ask["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Answer")
    assert {"401", "413", "422", "429"} <= set(ask["responses"])
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert http.get("/api/docs").status_code == 200


def test_chat_page_is_served(http) -> None:
    page = http.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    doc = http.get("/doc/neihanshi-fazhan", params={"start": 10, "end": 49})
    assert doc.status_code == 200 and '<mark id="c-10">' in doc.text


def test_gradio_client_ask(server, texts) -> None:
    from gradio_client import Client

    client = Client(server.url + "/", verbose=False)
    answer = Answer.model_validate(client.predict(QUESTIONS[0], api_name="/ask"))
    assert answer.sentences
    for s in answer.sentences:
        assert_grounded(s.model_dump(), texts)
    follow_up = client.predict("那么实践进路有哪些？", ["内涵式发展有哪些关键特征？"], api_name="/ask")
    Answer.model_validate(follow_up)


@pytest.fixture(scope="module")
def secured(serve, tmp_path_factory):
    key_file = tmp_path_factory.mktemp("keys") / "keys.txt"
    key_file.write_text("# rotated by hand\nfile-key-aaaaaaaaaaaa\n", encoding="utf-8")
    return serve(api_keys=KEY, api_key_file=key_file), key_file


def test_auth_refuses_missing_and_wrong_keys(secured) -> None:
    server, _ = secured
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {KEY}"}):
            response = http.get("/api/documents", headers=headers)
            assert_error(response, 401, "unauthorized")
            assert response.headers["www-authenticate"] == "Bearer"
        assert_error(http.post("/api/ask", json={"question": QUESTIONS[0]}), 401)
        ok = http.post("/api/ask", json={"question": QUESTIONS[0]}, headers={"Authorization": f"Bearer {KEY}"})
        assert ok.status_code == 200 and Answer.model_validate(ok.json())
        assert http.get("/api/health").status_code == 200
        assert http.get("/api/openapi.json").status_code == 200
        assert http.get("/api/docs").status_code == 200


def test_key_file_rotates_without_restart(secured) -> None:
    server, key_file = secured
    with httpx.Client(base_url=server.url, timeout=30) as http:
        assert http.get("/api/documents", headers={"Authorization": "Bearer file-key-aaaaaaaaaaaa"}).status_code == 200
        key_file.write_text(f"{OTHER_KEY}  # new\n", encoding="utf-8")
        later = time.time() + 5
        os.utime(key_file, (later, later))
        assert_error(http.get("/api/documents", headers={"Authorization": "Bearer file-key-aaaaaaaaaaaa"}), 401)
        assert http.get("/api/documents", headers={"Authorization": f"Bearer {OTHER_KEY}"}).status_code == 200
        assert http.get("/api/documents", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200


def test_chat_page_requires_a_key_too(secured) -> None:
    server, _ = secured
    with httpx.Client(base_url=server.url, timeout=30) as http:
        assert http.get("/").status_code == 303 and http.get("/").headers["location"].startswith("/signin")
        assert http.get("/gradio_api/info").status_code == 401
        assert http.get("/doc/neihanshi-fazhan").status_code == 303
        assert http.post("/signin", data={"key": "wrong", "next": "/"}).status_code == 401
        signed_in = http.post("/signin", data={"key": KEY, "next": "//evil.example/"})
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
        assert http.get("/").status_code == 200
        assert http.get("/doc/neihanshi-fazhan").status_code == 200


def test_gradio_client_with_key(secured) -> None:
    from gradio_client import Client

    server, _ = secured
    client = Client(server.url + "/", headers={"Authorization": f"Bearer {KEY}"}, verbose=False)
    assert Answer.model_validate(client.predict(QUESTIONS[0], api_name="/ask")).sentences


def test_rate_limit_429_with_retry_after(serve) -> None:
    server = serve(ui=False, rate_limit_per_minute=3)
    with httpx.Client(base_url=server.url, timeout=30) as http:
        assert [http.get("/api/documents").status_code for _ in range(3)] == [200, 200, 200]
        refused = http.get("/api/documents")
        assert_error(refused, 429, "rate_limited")
        assert int(refused.headers["retry-after"]) >= 1
        assert http.get("/api/health").status_code == 200


def test_chat_endpoints_have_the_body_limit_too(http) -> None:
    response = http.post("/gradio_api/queue/join", content=b"x" * 100_000, headers={"content-type": "application/json"})
    assert_error(response, 413, "payload_too_large")


def test_repeated_invalid_keys_are_slowed_down(serve) -> None:
    server = serve(ui=False, api_keys=KEY, auth_failures_per_minute=5)
    with httpx.Client(base_url=server.url, timeout=30) as http:
        wrong = {"Authorization": "Bearer guess"}
        codes = [http.get("/api/documents", headers=wrong).status_code for _ in range(5)]
        assert codes == [401] * 5
        refused = http.get("/api/documents", headers={"Authorization": f"Bearer {KEY}"})
        assert_error(refused, 429, "rate_limited")  # refused before the key is even checked
        assert int(refused.headers["retry-after"]) >= 1
        assert http.get("/api/health").status_code == 200
