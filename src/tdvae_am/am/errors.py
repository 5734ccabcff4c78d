"""The one exception type of the AM engine and the analysis tools."""


class AMError(ValueError):
    """Invalid input to activation maximization: a bad unit index, an empty unit list,
    a model without input gradient, a non-finite activation, or an invalid config.

    The message always names the offending value or option.
    """
