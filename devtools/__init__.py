"""Development tools the test suite, the benchmarks and the demo share.

Real parts, started the way a person would start them: an Xvfb display, a signaling server
process, headless apps driven over JSON lines. The product never imports this package.
"""
