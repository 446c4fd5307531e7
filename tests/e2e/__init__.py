"""The FiftyOne App in headless Chromium, driven as a person uses it.

A package (not a plain folder) so the App server and the browser, which are
package-scoped fixtures, stop when these tests end rather than at the end of
the whole session.
"""
