"""GIF search and trending (DESIGN.md §4.4) against the GIPHY stand-in
(tests/integration/standins/giphy_standin.py) that scripts/test starts and configures as the
main stack's GIPHY_BASE_URL: normalized items, paging, what reaches GIPHY (key, rating,
language, limits), the Redis cache, validation, upstream failures and timeouts as 503s, and
the 503 of a server without GIPHY_API_KEY. Expected texts are copied from
common/i18n_catalog.cpp on purpose."""
import os
import time

import pytest

from conftest import (api, assert_error, env_setting, field_codes, log_path, register,
                      unique_name)
from standins import GiphyStandIn

GIPHY = GiphyStandIn(os.environ.get("NT_GIPHY_STANDIN_URL", ""))
# The second stack of scripts/test, started without GIPHY_API_KEY.
UNCONFIGURED_BASE = os.environ.get("NT_S3_BASE_URL", "").rstrip("/")

UNAVAILABLE = {"en": "GIF search is temporarily unavailable. Please try again.",
               "jp": "GIF検索が一時的に利用できません。もう一度お試しください。"}
NOT_CONFIGURED = {"en": "GIF search is not configured on this server.",
                  "ko": "이 서버에는 GIF 검색이 설정되어 있지 않습니다."}
ITEM_KEYS = {"provider", "id", "title", "url", "mime", "width", "height", "preview_url",
             "preview_width", "preview_height"}


def standin_requests(path=None, q=None):
    """What the stand-in received (api_key left out), oldest first."""
    assert GIPHY.url, "NT_GIPHY_STANDIN_URL is not set: run the suite through scripts/test"
    return GIPHY.requests(path, q)


def search(user, q=None, headers=None, **params):
    if q is not None:
        params["q"] = q
    return api("GET", "media/gifs/search", token=user.access, params=params, headers=headers)


def trending(user, headers=None, **params):
    return api("GET", "media/gifs/trending", token=user.access, params=params, headers=headers)


def expected_item(title_seed, n):
    """What the stand-in's item n becomes (its rules: every 7th has no fixed_width and is left
    out; every 5th lacks mp4, every 10th lacks webp too; heights vary with n)."""
    mime, ext = ("video/mp4", "200w.mp4") if n % 5 else \
        (("image/webp", "200w.webp") if n % 10 else ("image/gif", "200w.gif"))
    h = 100 + (n % 5) * 10
    return {"title": "%s #%d" % (title_seed, n), "mime": mime, "ext": ext, "width": 200,
            "height": h, "preview_width": 100, "preview_height": h // 2}


def assert_page_matches(body, title_seed, numbers):
    assert set(body) == {"gifs", "next_offset", "provider", "attribution"}, body
    assert body["provider"] == "giphy"
    assert body["attribution"] == "Powered By GIPHY"
    kept = [n for n in numbers if n % 7]
    assert [g["title"] for g in body["gifs"]] == ["%s #%d" % (title_seed, n) for n in kept]
    for g, n in zip(body["gifs"], kept):
        want = expected_item(title_seed, n)
        assert set(g) == ITEM_KEYS, g
        assert g["provider"] == "giphy"
        assert isinstance(g["id"], str) and len(g["id"]) == 14, g
        assert g["mime"] == want["mime"], (n, g)
        assert g["url"].startswith("https://") and g["url"].endswith("/" + want["ext"]), (n, g)
        assert g["id"] in g["url"], g
        assert g["preview_url"].endswith("/100w.gif"), g
        for k in ("width", "height", "preview_width", "preview_height"):
            assert type(g[k]) is int and g[k] == want[k], (n, k, g)


# --------------------------------------------------------------------------------------------
# Search and trending

def test_gif_search_returns_normalized_items_from_giphy(user):
    q = unique_name("happy cat ")
    r = search(user, q)
    assert r.status_code == 200, r.text
    assert r.headers.get("Cache-Control") == "no-store"
    body = r.json()
    # Items 0..24 of the stand-in's 60; 0, 7, 14 and 21 had no fixed_width rendition.
    assert_page_matches(body, q, range(0, 25))
    assert len(body["gifs"]) == 21
    assert body["next_offset"] == 25
    sent = standin_requests("/v1/gifs/search", q)
    assert len(sent) == 1
    assert sent[0]["params"] == {"q": q, "limit": "25", "offset": "0", "rating": "pg-13",
                                 "lang": "en"}
    assert sent[0]["status"] == 200


def test_gif_search_pages_with_offset_until_the_end(user):
    q = unique_name("dance ")
    body = search(user, q, limit=10, offset=50).json()
    assert_page_matches(body, q, range(50, 60))
    assert body["next_offset"] is None  # the stand-in has 60 results for a query
    body = search(user, q, limit=8, offset=40).json()
    assert_page_matches(body, q, range(40, 48))
    assert body["next_offset"] == 48


def test_gif_search_limit_above_50_is_capped(user):
    q = unique_name("wave ")
    body = search(user, q, limit=100).json()
    assert_page_matches(body, q, range(0, 50))
    assert body["next_offset"] == 50
    assert [s["params"]["limit"] for s in standin_requests("/v1/gifs/search", q)] == ["50"]


def test_gif_search_with_no_results(user):
    body = search(user, "nothing").json()
    assert body["gifs"] == [] and body["next_offset"] is None


@pytest.mark.parametrize("lang,giphy_lang", [("jp", "ja"), ("cn", "zh-CN"), ("id", "id"),
                                             ("ko", "ko")])
def test_gif_search_sends_the_request_language_to_giphy(user, lang, giphy_lang):
    q = unique_name("hello ")
    r = search(user, q, headers={"X-Language": lang})
    assert r.status_code == 200
    assert r.headers.get("Content-Language") == lang
    assert [s["params"]["lang"] for s in standin_requests("/v1/gifs/search", q)] == [giphy_lang]


def test_gif_search_query_is_trimmed_and_unicode_survives(user):
    core = unique_name("猫 ダンス ")
    r = search(user, "  %s\t" % core)
    assert r.status_code == 200, r.text
    assert r.json()["gifs"][0]["title"] == "%s #1" % core
    assert len(standin_requests("/v1/gifs/search", core)) == 1


def test_gif_search_long_query_reaches_giphy_as_its_first_50_characters(user):
    q = unique_name("q") + "é" * 40 + "x" * 43   # 100 characters; GIPHY's cut falls in the é
    assert len(q) == 100
    r = search(user, q)
    assert r.status_code == 200, r.text
    assert r.json()["gifs"][0]["title"] == "%s #1" % q[:50]
    assert len(standin_requests("/v1/gifs/search", q[:50])) == 1


def test_gif_trending(user):
    r = trending(user, limit=12, offset=24)
    assert r.status_code == 200, r.text
    body = r.json()
    assert_page_matches(body, "trending", range(24, 36))
    assert body["next_offset"] == 36
    sent = standin_requests("/v1/gifs/trending")
    assert sent and sent[-1]["params"] == {"limit": "12", "offset": "24", "rating": "pg-13"}


# --------------------------------------------------------------------------------------------
# Cache

def test_gif_second_identical_search_is_served_from_the_cache(user):
    q = unique_name("cached ")
    first = search(user, q, limit=5)
    assert first.status_code == 200
    assert len(standin_requests("/v1/gifs/search", q)) == 1
    # Same query, another user: from Redis, GIPHY is not asked again.
    second = search(register(), q, limit=5)
    assert second.status_code == 200
    assert second.json() == first.json()
    assert len(standin_requests("/v1/gifs/search", q)) == 1
    # Another page, language or size is another entry.
    assert search(user, q, limit=5, offset=5).status_code == 200
    assert search(user, q, limit=6).status_code == 200
    assert search(user, q, limit=5, headers={"X-Language": "ko"}).status_code == 200
    assert len(standin_requests("/v1/gifs/search", q)) == 4


def test_gif_trending_is_cached_for_every_language(user):
    before = len(standin_requests("/v1/gifs/trending"))
    a = trending(user, limit=3, offset=99, headers={"X-Language": "en"})
    b = trending(user, limit=3, offset=99, headers={"X-Language": "jp"})
    assert a.status_code == b.status_code == 200
    assert a.json() == b.json()
    after = [s for s in standin_requests("/v1/gifs/trending")[before:]
             if s["params"]["offset"] == "99"]
    assert len(after) == 1


# --------------------------------------------------------------------------------------------
# Validation and authentication

@pytest.mark.parametrize("params,field,code", [
    ({}, "q", "required"),
    ({"q": ""}, "q", "required"),
    ({"q": "   "}, "q", "required"),
    ({"q": "x" * 101}, "q", "too_long"),
    ({"q": "cat", "limit": "abc"}, "limit", "invalid_format"),
    ({"q": "cat", "limit": "0"}, "limit", "out_of_range"),
    ({"q": "cat", "limit": "-3"}, "limit", "out_of_range"),
    ({"q": "cat", "offset": "5000"}, "offset", "out_of_range"),
    ({"q": "cat", "offset": "1.5"}, "offset", "invalid_format"),
])
def test_gif_search_invalid_input_is_422(user, params, field, code):
    before = len(standin_requests())
    r = api("GET", "media/gifs/search", token=user.access, params=params)
    body = assert_error(r, 422, "validation_error")
    assert (field, code) in field_codes(body)
    assert len(standin_requests()) == before  # GIPHY is not asked


def test_gif_search_invalid_utf8_is_422(user):
    r = api("GET", "media/gifs/search?q=%ff%fe", token=user.access)
    assert ("q", "invalid_utf8") in field_codes(assert_error(r, 422, "validation_error"))


@pytest.mark.parametrize("params,field,code", [
    ({"offset": "500"}, "offset", "out_of_range"),
    ({"limit": "many"}, "limit", "invalid_format"),
])
def test_gif_trending_invalid_input_is_422(user, params, field, code):
    r = api("GET", "media/gifs/trending", token=user.access, params=params)
    assert (field, code) in field_codes(assert_error(r, 422, "validation_error"))


@pytest.mark.parametrize("path", ["media/gifs/search?q=cat", "media/gifs/trending"])
def test_gif_routes_need_a_token(path):
    assert_error(api("GET", path), 401, "not_authenticated")
    assert_error(api("GET", path, token="not-a-jwt"), 401)


# --------------------------------------------------------------------------------------------
# Upstream failures

def test_gif_upstream_500_is_503_unavailable_and_not_cached(user):
    for _ in range(2):
        r = search(user, "explode")
        body = assert_error(r, 503, "gif_provider_unavailable")
        assert body["detail"] == UNAVAILABLE["en"]
        assert int(r.headers["Retry-After"]) >= 1
    assert [s["status"] for s in standin_requests("/v1/gifs/search", "explode")][-2:] == [500, 500]


def test_gif_upstream_garbage_is_503(user):
    assert_error(search(user, "garbled"), 503, "gif_provider_unavailable")


def test_gif_upstream_huge_answer_is_503(user):
    assert_error(search(user, "huge"), 503, "gif_provider_unavailable")


def test_gif_upstream_rate_limit_is_503_with_its_retry_after(user):
    r = search(user, "ratelimit")
    assert_error(r, 503, "gif_provider_unavailable")
    assert r.headers.get("Retry-After") == "7"


def test_gif_slow_upstream_is_503_within_the_client_timeout(user):
    timeout_s = int(env_setting("HTTP_CLIENT_TIMEOUT_MS", "5000")) / 1000
    t0 = time.monotonic()
    r = search(user, "slowpoke")
    elapsed = time.monotonic() - t0
    assert_error(r, 503, "gif_provider_unavailable")
    # The stand-in answers only after 5 s; the API gives up at its client timeout.
    assert timeout_s * 0.9 <= elapsed < timeout_s + 1.5, (elapsed, timeout_s)


def test_gif_errors_are_localized(user):
    en = assert_error(search(user, "explode", headers={"X-Language": "en"}), 503)
    jp_resp = search(user, "explode", headers={"X-Language": "jp"})
    jp = assert_error(jp_resp, 503, "gif_provider_unavailable")
    assert jp["detail"] == jp["message"] == UNAVAILABLE["jp"]
    assert jp["detail"] != en["detail"]
    assert jp_resp.headers.get("Content-Language") == "jp"


def test_gif_upstream_errors_never_show_the_key_or_upstream_text(user):
    key = env_setting("GIPHY_API_KEY")
    assert key
    for q in ("explode", "ratelimit", "garbled"):
        text = search(user, q).text
        assert key not in text and "exploded" not in text and "rate limit exceeded" not in text
    # The operator's log says what happened, without the key either.
    with open(log_path("api1.log"), encoding="utf-8", errors="replace") as f:
        log = f.read()
    assert "giphy /v1/gifs/search: HTTP 500" in log
    assert "giphy /v1/gifs/search: HTTP 429 (rate limited): API rate limit exceeded" in log
    assert key not in log


# --------------------------------------------------------------------------------------------
# No GIPHY_API_KEY

def test_gif_without_api_key_is_503_not_configured():
    if not UNCONFIGURED_BASE:
        pytest.fail("NT_S3_BASE_URL is not set: this test needs scripts/test's second stack, "
                    "which runs without GIPHY_API_KEY (see the S3 stack in scripts/test)")
    u = register(base=UNCONFIGURED_BASE)
    for path in ("media/gifs/search?q=cat", "media/gifs/trending", "media/gifs/search",
                 "media/gifs/trending?limit=abc"):
        r = api("GET", path, token=u.access, base=UNCONFIGURED_BASE)
        body = assert_error(r, 503, "gif_provider_not_configured")
        assert body["detail"] == NOT_CONFIGURED["en"]
        assert "Retry-After" not in r.headers
    r = api("GET", "media/gifs/trending", token=u.access, headers={"X-Language": "ko"},
            base=UNCONFIGURED_BASE)
    assert assert_error(r, 503)["detail"] == NOT_CONFIGURED["ko"]
    # Without a token it is still a 401 first.
    assert_error(api("GET", "media/gifs/trending", base=UNCONFIGURED_BASE), 401,
                 "not_authenticated")


# --------------------------------------------------------------------------------------------
# Redis away: no cache, GIFs still served (runs last: takes Redis away)

def test_gif_search_works_without_redis_uncached(user, redis_outage):
    q = unique_name("outage ")
    redis_outage.stop()
    for _ in range(2):
        r = search(user, q, limit=4)
        assert r.status_code == 200, r.text
        assert_page_matches(r.json(), q, range(0, 4))
    assert len(standin_requests("/v1/gifs/search", q)) == 2
