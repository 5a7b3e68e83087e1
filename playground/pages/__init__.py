"""One package per page: ``page`` wires its controls, state and sections (app_pages/<name>.py calls it top
to bottom), ``figures`` builds its Plotly figures (pure functions, plain data in, ``go.Figure`` out).
"""
