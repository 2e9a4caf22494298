"""The oracle: what a conforming backend must produce, for every documented behaviour.

Written with numpy and the standard library only. Nothing here imports torch,
a backend, or the suite: a backend passing against this reference is an
independent cross-check of both.
"""
