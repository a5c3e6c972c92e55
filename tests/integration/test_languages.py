"""Languages and localization (DESIGN.md §2 "Language", §4.7). Expected texts are copied from
common/i18n_catalog.cpp on purpose: a changed translation must be a visible change."""
import pytest

from conftest import LANGS, api, assert_error, register, unique_name

NOT_AUTHENTICATED = {
    "en": "Authentication is required.",
    "id": "Autentikasi diperlukan.",
    "jp": "認証が必要です。",
    "ko": "인증이 필요합니다.",
    "cn": "需要身份验证。",
}
VALIDATION = {
    "en": "Some fields are invalid.",
    "id": "Beberapa kolom tidak valid.",
    "jp": "入力内容に誤りがあります。",
    "ko": "일부 필드가 올바르지 않습니다.",
    "cn": "部分字段无效。",
}
INVALID_EMAIL = {
    "en": "This is not a valid email address.",
    "id": "Alamat email tidak valid.",
    "jp": "メールアドレスの形式が正しくありません。",
    "ko": "올바른 이메일 주소가 아닙니다.",
    "cn": "邮箱地址无效。",
}
NOT_FOUND = {"en": "Not found.", "id": "Tidak ditemukan.", "jp": "見つかりません。",
             "ko": "찾을 수 없습니다.", "cn": "未找到。"}
LANG_NAMES = {  # lang.<code> in each request language
    "en": {"en": "English", "id": "Indonesian", "jp": "Japanese", "ko": "Korean", "cn": "Chinese"},
    "id": {"en": "Inggris", "id": "Indonesia", "jp": "Jepang", "ko": "Korea", "cn": "Tionghoa"},
    "jp": {"en": "英語", "id": "インドネシア語", "jp": "日本語", "ko": "韓国語", "cn": "中国語"},
    "ko": {"en": "영어", "id": "인도네시아어", "jp": "일본어", "ko": "한국어", "cn": "중국어"},
    "cn": {"en": "英语", "id": "印度尼西亚语", "jp": "日语", "ko": "韩语", "cn": "中文"},
}
NATIVE = {"en": "English", "id": "Bahasa Indonesia", "jp": "日本語", "ko": "한국어", "cn": "中文"}
HELLO = {"en": "Hello", "id": "Halo", "jp": "こんにちは", "ko": "안녕하세요", "cn": "你好"}


@pytest.mark.parametrize("lang", LANGS)
def test_not_authenticated_in_every_language(lang):
    r = api("GET", "profile", headers={"X-Language": lang})
    body = assert_error(r, 401, "not_authenticated")
    assert body["detail"] == NOT_AUTHENTICATED[lang]
    assert body["message"] == NOT_AUTHENTICATED[lang]
    assert r.headers.get("Content-Language") == lang


def test_texts_differ_per_language():
    seen = {api("GET", "profile", headers={"X-Language": l}).json()["detail"] for l in LANGS}
    assert len(seen) == 5


@pytest.mark.parametrize("header,expected", [
    ("ja-JP,ja;q=0.9", "jp"),
    ("ja", "jp"),
    ("zh-CN", "cn"),
    ("zh-TW,zh;q=0.8", "cn"),
    ("ko-KR", "ko"),
    ("id-ID", "id"),
    ("in", "id"),
    ("en-US,en;q=0.9", "en"),
    ("en;q=0.1, ko;q=0.9", "ko"),
    ("ko;q=0.2, ja;q=0.8, zh;q=0.5", "jp"),
    ("fr-FR, de;q=0.9, zh;q=0.3", "cn"),
    ("*;q=0.5, id;q=0.6", "id"),
])
def test_accept_language_with_q_values(header, expected):
    r = api("GET", "profile", headers={"Accept-Language": header})
    body = assert_error(r, 401, "not_authenticated")
    assert r.headers.get("Content-Language") == expected, header
    assert body["detail"] == NOT_AUTHENTICATED[expected]


def test_x_language_beats_accept_language():
    r = api("GET", "profile", headers={"X-Language": "ko", "Accept-Language": "ja-JP,ja;q=0.9"})
    assert r.headers.get("Content-Language") == "ko"
    assert r.json()["detail"] == NOT_AUTHENTICATED["ko"]


def test_unknown_x_language_is_ignored():
    r = api("GET", "profile", headers={"X-Language": "fr", "Accept-Language": "zh-CN"})
    assert r.headers.get("Content-Language") == "cn"
    r = api("GET", "profile", headers={"X-Language": "klingon"})
    assert r.headers.get("Content-Language") == "en"
    assert r.json()["detail"] == NOT_AUTHENTICATED["en"]


def test_default_language_without_headers():
    r = api("GET", "language/current")
    assert r.status_code == 200
    assert r.json() == {"code": "en", "name": "English", "native_name": "English",
                        "source": "default"}
    assert r.headers.get("Content-Language") == "en"


def test_422_field_messages_are_localized():
    for lang in LANGS:
        r = api("POST", "register", headers={"X-Language": lang},
                json_body={"username": unique_name(), "email": "nope", "password": "Correct1Horse"})
        body = assert_error(r, 422, "validation_error")
        assert body["detail"] == VALIDATION[lang]
        msgs = {e["field"]: e["message"] for e in body["errors"]}
        assert msgs["email"] == INVALID_EMAIL[lang]
        assert r.headers.get("Content-Language") == lang


def test_field_message_placeholders_are_filled():
    r = api("POST", "register", headers={"X-Language": "jp"},
            json_body={"username": unique_name(), "email": unique_name() + "@example.com",
                       "password": "Ab1"})
    body = assert_error(r, 422)
    msgs = {e["field"]: e["message"] for e in body["errors"]}
    assert msgs["password"] == "8バイト以上で入力してください。"


def test_profile_language_is_used_when_no_header():
    u = register()
    assert api("PUT", "profile", token=u.access, json_body={"language": "cn"}).status_code == 200
    r = api("GET", "language/current", token=u.access)
    assert r.json()["code"] == "cn" and r.json()["source"] == "profile"
    # An error of an authenticated request uses it too.
    r = api("PUT", "profile", token=u.access, json_body={"language": "xx"})
    body = assert_error(r, 422)
    assert body["detail"] == VALIDATION["cn"]
    assert r.headers.get("Content-Language") == "cn"
    # A header still wins over the profile.
    r = api("GET", "language/current", token=u.access, headers={"Accept-Language": "ko"})
    assert r.json()["code"] == "ko" and r.json()["source"] == "accept-language"
    r = api("GET", "language/current", token=u.access, headers={"X-Language": "id"})
    assert r.json()["code"] == "id" and r.json()["source"] == "header"


def test_languages_list_names_follow_request_language():
    for lang in LANGS:
        r = api("GET", "languages", headers={"X-Language": lang})
        assert r.status_code == 200, r.text
        b = r.json()
        assert b["default"] == "en" and b["current"] == lang
        assert [l["code"] for l in b["languages"]] == list(LANGS)
        for l in b["languages"]:
            assert l["name"] == LANG_NAMES[lang][l["code"]], (lang, l)
            assert l["native_name"] == NATIVE[l["code"]]
        assert r.headers.get("Content-Language") == lang
    jp = api("GET", "languages", headers={"X-Language": "jp"}).json()
    assert {l["code"]: l["name"] for l in jp["languages"]}["ko"] == "韓国語"


def test_language_current_sources():
    r = api("GET", "language/current", headers={"X-Language": "jp"})
    assert r.json() == {"code": "jp", "name": "日本語", "native_name": "日本語", "source": "header"}
    r = api("GET", "language/current", headers={"Accept-Language": "ko-KR"})
    assert r.json() == {"code": "ko", "name": "한국어", "native_name": "한국어",
                        "source": "accept-language"}


def test_language_test_returns_catalogue_in_language():
    for lang in LANGS:
        r = api("GET", "language/test", headers={"X-Language": lang})
        assert r.status_code == 200
        b = r.json()
        assert b["language"] == lang
        assert b["messages"]["common.hello"] == HELLO[lang]
        assert b["messages"]["error.not_authenticated"] == NOT_AUTHENTICATED[lang]
        assert b["messages"]["error.not_found"] == NOT_FOUND[lang]


def test_language_routes_ignore_a_bad_token():
    r = api("GET", "languages", headers={"Authorization": "Bearer nonsense", "X-Language": "ko"})
    assert r.status_code == 200
    assert r.json()["current"] == "ko"


def test_not_found_is_localized():
    u = register()
    r = api("GET", "users/not-a-uuid", token=u.access, headers={"X-Language": "ko"})
    body = assert_error(r, 404, "not_found")
    assert body["detail"] == NOT_FOUND["ko"]
