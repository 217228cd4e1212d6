"""Series selectors: names, globs and label filters, parsed and matched (pure)."""

from __future__ import annotations

import pytest

from live.dashboards.selectors import Selector, parse_selector

HOST_A = {"host": "a", "core": "0", "dc": "eu-west"}


@pytest.mark.parametrize(
    ("text", "name", "labels", "selected"),
    [
        ("host.cpu_percent", "host.cpu_percent", {}, True),
        ("host.cpu_percent", "hostXcpu_percent", {}, False),  # a dot is a dot, not "any character"
        ("host.cpu_percent", "host.cpu_percent2", {}, False),  # a name matches whole
        ("host.cpu_percent", "Host.cpu_percent", {}, False),  # case-sensitive
        ("host.*", "host.net_recv_kib_s", {}, True),
        ("host.*", "hostess", {}, False),
        ("host.net_*_kib_s", "host.net_sent_kib_s", {}, True),
        ("cpu?", "cpu1", {}, True),
        ("cpu?", "cpu10", {}, False),
        ("cpu[0-3]", "cpu2", {}, True),
        ("cpu[0-3]", "cpu4", {}, False),
        ("cpu[!0-3]", "cpu4", {}, True),
        ("a[{]b", "a{b", {}, True),  # a '{' in a bracket class is part of the name glob
        ("x[*]", "x*", {}, True),
        ("x[*]", "xy", {}, False),
        ("*", "anything at all", HOST_A, True),
        ("cpu", "cpu", HOST_A, True),  # no filter: any labels
        ('cpu{host="a"}', "cpu", HOST_A, True),
        ('cpu{host="a"}', "cpu", {"host": "b"}, False),
        ('cpu{host="a"}', "cpu", {}, False),  # the label is missing
        ('cpu{host="a"}', "cpu", {"hostname": "a"}, False),
        ('cpu{host="a"}', "mem", HOST_A, False),  # labels match, the name does not
        ('cpu{host="a",core="0"}', "cpu", HOST_A, True),
        ('cpu{host="a",core="1"}', "cpu", HOST_A, False),
        ('cpu{ host = "a" , core = "0" , }', "cpu", HOST_A, True),
        ('host.*{dc="eu-*"}', "host.cpu", HOST_A, True),
        ('host.*{dc="eu-*"}', "host.cpu", {"dc": "us-east"}, False),
        ('host.*{dc="EU-*"}', "host.cpu", HOST_A, False),  # label values are case-sensitive too
        ('cpu{core="[0-1]"}', "cpu", HOST_A, True),
        ("cpu{}", "cpu", HOST_A, True),
        ('cpu{quote="say \\"hi\\""}', "cpu", {"quote": 'say "hi"'}, True),
        ('cpu{path="c:\\\\x"}', "cpu", {"path": "c:\\x"}, True),
        ('cpu{"k8s pod"="web-*"}', "cpu", {"k8s pod": "web-1"}, True),
        ("  cpu  ", "cpu", {}, True),  # spaces around a selector are not part of the name
        ("disk free", "disk free", {}, True),  # spaces inside a name are
    ],
)
def test_a_selector_matches_names_and_labels(text: str, name: str, labels: dict[str, str], selected: bool) -> None:
    """A series is selected when its name matches the glob and every filtered label exists and matches."""
    assert parse_selector(text).matches(name, labels) is selected


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("cpu", Selector("cpu", "cpu")),
        ('cpu{host="a"}', Selector('cpu{host="a"}', "cpu", (("host", "a"),))),
        (' host.* { dc = "eu-*" } ', Selector('host.* { dc = "eu-*" }', "host.*", (("dc", "eu-*"),))),
        ('cpu{a="1",b="2",}', Selector('cpu{a="1",b="2",}', "cpu", (("a", "1"), ("b", "2")))),
    ],
)
def test_parsing_keeps_the_text_the_name_and_the_filter(text: str, parsed: Selector) -> None:
    """The parsed parts are the glob and the (label, value glob) pairs, in the order written."""
    assert parse_selector(text) == parsed
    assert str(parse_selector(text)) == parsed.text


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("host.cpu_percent", "host.cpu_percent"),
        ('cpu{host="a*"}', "cpu"),
        ("host.*", None),
        ("cpu?", None),
        ("c[p]u", None),
    ],
)
def test_exact_is_the_one_name_a_selector_can_match(text: str, exact: str | None) -> None:
    """A selector without glob characters in its name names one series name."""
    assert parse_selector(text).exact == exact


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('cpu{host="a"', "unclosed '{' in 'cpu{host=\"a\"'"),
        ('cpu{host="a",', "unclosed '{'"),
        ("cpu{", "unclosed '{'"),
        ("cpu{host=a}", "label filter 'host' needs a quoted value"),
        ("cpu{host=}", "label filter 'host' needs a quoted value"),
        ("cpu{host}", "label filter 'host' needs '=' and a quoted value"),
        ('cpu{host!="a"}', "label filter 'host' uses '!=': only '=' is supported"),
        ('cpu{host=~"a.*"}', "label filter 'host' uses '=~': only '=' is supported"),
        ('cpu{host="a}', "unclosed quote in label filter 'host'"),
        ('cpu{host="a\\n"}', "unknown escape '\\n' in label filter 'host'"),
        ('cpu{host=""}', "label filter 'host' has an empty value"),
        ('cpu{host="a" core="0"}', "expected ',' or '}' after label filter 'host'"),
        ('cpu{host="a",host="b"}', "label filter 'host' is given twice"),
        ("cpu{,}", "expected a label name at ','"),
        ('cpu{""="a"}', "empty label name"),
        ('cpu{host="a"} extra', "unexpected text 'extra' after '}'"),
        ('cpu{host="a"}}', "unexpected text '}' after '}'"),
        ('{host="a"}', "empty name in selector '{host=\"a\"}'"),
        ("", "empty name"),
        ("   ", "empty name"),
        ("x" * 201, "the name in a selector must be at most 200 characters, got 201"),
        ("cpu\x00", "must not contain control characters"),
    ],
)
def test_a_bad_selector_says_what_is_wrong(text: str, message: str) -> None:
    """Each mistake gets a ValueError naming it."""
    with pytest.raises(ValueError) as caught:
        parse_selector(text)
    assert message in str(caught.value)


def test_a_name_of_200_characters_is_allowed() -> None:
    """The limit is a series name's."""
    assert parse_selector("x" * 200).matches("x" * 200, {})
