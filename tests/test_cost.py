"""The cost model reproduces the deep-dive's five-by-five monthly cost table."""

from __future__ import annotations

import pytest

from auditor.cost import OPTIONS, estimate, prices, tiered

# Monthly requests -> REST, HTTP, CF + ALB, function URL, CF + function URL (the article).
ARTICLE = {
    1_000_000: (4, 1, 18, "<1", 2),
    10_000_000: (39, 14, 33, 4, 16),
    100_000_000: (391, 141, 184, 41, 158),
    500_000_000: (1838, 685, 853, 205, 790),
    1_000_000_000: (3443, 1340, 1689, 410, 1580),
}


@pytest.mark.parametrize("requests", ARTICLE)
def test_reproduces_the_article_table(requests):
    costs = estimate(requests).costs
    for option, printed in zip(OPTIONS, ARTICLE[requests], strict=True):
        value = costs[option]
        if printed == "<1":
            assert value < 1, option
        else:
            # The article prints whole dollars (0.5) and rounds Lambda to $0.41 per million
            # where its own rates give $0.4083 (0.0017 per million requests).
            rounding = 0.5 + 0.0017 * requests / 1e6
            assert abs(value - printed) <= rounding, (option, value, printed)


def test_tiers_are_cumulative():
    tiers = [[100, 1.0], [None, 0.5]]
    assert tiered(50e6, [[100e6, 1.0], [None, 0.5]]) == 50
    assert tiered(300e6, [[100e6, 1.0], [None, 0.5]]) == 100 + 100
    assert tiered(0, tiers) == 0


def test_cache_hits_cut_origin_costs_only():
    cold, warm = estimate(100e6, 0.0).costs, estimate(100e6, 0.8).costs
    assert warm["cloudfront_alb"] < cold["cloudfront_alb"]
    assert warm["api_gateway_http"] == cold["api_gateway_http"]


def test_price_file_is_dated_and_sourced():
    p = prices()
    assert p["as_of"] and p["sources"] and p["currency"] == "USD"
