# RFC 7208 conformance suite through the real pipeline (see tests/spfsuite/).
