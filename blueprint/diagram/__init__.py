"""Blueprint diagrams, computed here and only drawn by Graphviz.

The modules, in the order data flows through them:

- ``check``: the geometry check of a drawn diagram (overlapping text, arrows through boxes, text
  outside the frame, arrow crossings), run by the tests and by anyone on their own SVG.

The public drawing functions are still :func:`blueprint.render` and :class:`blueprint.render.Diagram`.
"""
