"""Decoders turn protocol bodies into the raw point mappings that live/validation checks (pure).

Each decoder reads one wire format and yields mappings of series, value, ts and labels, naming
what it cannot read with an InvalidInput (400 for a body that is not the format at all, 422 for
one that is but does not hold points). It checks nothing about the points themselves: that is
live.validation.validate_points, the same for every entry. One module per format: json,
influx (line protocol), otlp (OTLP/HTTP metrics, protobuf and JSON), prometheus (text exposition).
"""
