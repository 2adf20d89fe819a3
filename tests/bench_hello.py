"""The baseline of `make bench`: a bare Flask app that answers "hello" (`tests.bench_hello:app`)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
