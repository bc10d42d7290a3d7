"""Blueprint diagrams, computed here and only drawn by Graphviz.

The modules, in the order data flows through them (after :mod:`blueprint.layout` has put every box on
the lane × column grid):

- ``arrows``: the channel grid of a layout, arrows split where they leave a row of a wrapped journey,
  gaps widened for labels;
- ``route``: the orthogonal router (shortest paths costing length, bends, crossings and shared
  channels), parallel arrows spread apart, ``Rect`` and ``RectIndex``;
- ``labels``: each arrow label in the free spot that reads best, or a numbered footnote;
- ``glyphs``: which characters the fonts on this machine can draw (a PNG or PDF shows the others as
  boxes);
- ``check``: the geometry check of a drawn diagram (overlapping text, arrows through boxes, text
  outside the frame, arrow crossings), run by the tests and by ``blueprint check-diagram``.

The public drawing functions are :func:`blueprint.render` and :class:`blueprint.render.Diagram`.

>>> from blueprint.diagram.check import check_svg
>>> import blueprint
>>> check_svg(blueprint.load("examples/clinic.yaml").render(max_columns=4).svg)
[]
"""
