# Two commands matter: `make demo` and `make test`. Each sets up .venv on first use
# (torch==2.13.0 first: a plain `torch` requirement would pull a multi-GB CUDA build).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/emoji-alpha
STAMP := $(VENV)/.installed
DEMO_OUT ?= demo-out

.PHONY: demo test weights system-deps bench-data bench-quality bench-speed clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

weights: $(STAMP)
	$(CLI) weights fetch

# The Noto colour font for the font tests; skipped quietly where apt is not usable.
system-deps:
	@if [ ! -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		(apt-get install -y -q fonts-noto-color-emoji >/dev/null 2>&1 || \
		 (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q fonts-noto-color-emoji >/dev/null 2>&1)) || \
		echo "note: could not install fonts-noto-color-emoji; the Noto font tests will be skipped"; \
	fi

demo: $(STAMP) weights
	$(PY) -m emoji_alpha.demo --output $(DEMO_OUT)

test: $(STAMP) weights system-deps
	$(PY) -m pytest -q -p no:cacheprovider

bench-data: $(STAMP)
	$(PY) benchmarks/make_dataset.py

bench-quality: $(STAMP) weights bench-data
	$(PY) benchmarks/quality.py

bench-speed: $(STAMP) weights
	$(PY) benchmarks/speed.py

clean:
	rm -rf $(DEMO_OUT) .pytest_cache
