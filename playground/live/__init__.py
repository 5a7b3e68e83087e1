"""Live training: the one live loop (loop) every live page uses, and the runs it drives: the Playground's
(playground), Compare's (compare) and the Regression lab's (regression). The browser half is the
live_view component, which stays at playground/live_view/ (Streamlit names its iframe after that path).
"""
