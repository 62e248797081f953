import pytest

from chalicelib.core.errors import BadRequest
from chalicelib.core.pagination import PageRequest, page_body, parse_page
from chalicelib.core.wire import snake_keys, to_camel, to_snake


@pytest.mark.parametrize(
    "query,expected",
    [
        ({}, (1, 50)),
        ({"page": "2"}, (2, 50)),
        ({"limit": "200"}, (1, 200)),
        ({"page": "3", "limit": "1"}, (3, 1)),
    ],
)
def test_parse_page_accepts(query, expected):
    page = parse_page(query)
    assert (page.page, page.limit) == expected


@pytest.mark.parametrize(
    "query",
    [
        {"page": "0"},
        {"page": "-1"},
        {"limit": "0"},
        {"limit": "201"},
        {"page": "abc"},
        {"limit": "1.5"},
        {"page": ""},
    ],
)
def test_parse_page_rejects_with_400(query):
    with pytest.raises(BadRequest):
        parse_page(query)


def test_page_body_shape():
    body = page_body(list(range(100, 150)), 150, PageRequest(page=3, limit=50))
    assert body == {
        "items": list(range(100, 150)),
        "total": 150,
        "page": 3,
        "limit": 50,
        "total_pages": 3,
        "next_cursor": None,
    }
    assert page_body([], 0, PageRequest())["total_pages"] == 0


def test_wire_case():
    assert to_snake("dateFrom") == "date_from"
    assert to_snake("sortBy") == "sort_by"
    assert to_snake("already_snake") == "already_snake"
    assert to_camel("date_from") == "dateFrom"
    assert snake_keys({"customerName": "x", "lineItems": [{"amountCents": 1}]}) == {
        "customer_name": "x",
        "line_items": [{"amount_cents": 1}],
    }


def test_a_cursor_is_read_within_bounds_and_names_its_page():
    assert parse_page({"cursor": "abc.def"}).cursor == "abc.def"
    assert parse_page({"cursor": ""}).cursor is None
    for bad in ("a" * 1025, "caf\u00e9", "a\nb"):
        with pytest.raises(BadRequest):
            parse_page({"cursor": bad})
    body = page_body([1], 120, PageRequest(limit=50, cursor="x"), offset=100, next_cursor="n")
    assert (body["page"], body["next_cursor"]) == (3, "n")
