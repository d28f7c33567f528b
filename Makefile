# Two commands matter: `make demo` and `make test`. Each sets up .venv on first use
# (torch==2.13.0 first: a plain `torch` requirement would pull a multi-GB CUDA build).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/emoji-alpha
STAMP := $(VENV)/.installed
DEMO_OUT ?= demo-out

.PHONY: demo test weights system-deps bench-data bench-quality bench-speed train-emoji clean

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
	$(PY) -m benchmarks.dataset

bench-quality: $(STAMP) weights bench-data
	$(PY) -m benchmarks.quality --weights official
	$(PY) -m benchmarks.quality --weights emoji --minimal --rgba
	$(PY) -m benchmarks.quality --weights emoji --minimal --tasks 160-2000 --out benchmarks/results/emoji-2000
	$(PY) -m benchmarks.quality --weights emoji-fast --minimal --tasks 64-256,160-640,160-2000
	$(PY) -m benchmarks.compare_weights

bench-speed: $(STAMP) weights
	$(PY) -m benchmarks.speed
	$(PY) -m benchmarks.pipeline_speed
	$(PY) -m benchmarks.pipeline_speed --weights emoji,emoji-fast --sizes 2000 --repeats 2
	$(PY) -m benchmarks.font_throughput --weights emoji-fast,emoji --subset emoji=4

# Retrain the emoji LIIF weights and the fast decoder (about two hours on 2 CPU cores; resumable) and write them into the package.
train-emoji: $(STAMP) weights
	$(PY) -m pip install -q -e ".[train]"
	$(PY) -m benchmarks.train_emoji_liif data --samples 3000
	$(PY) -m benchmarks.train_emoji_liif train --model rgb --steps 2000
	$(PY) -m benchmarks.train_emoji_liif export --model rgb
	$(PY) -m benchmarks.train_emoji_liif train --model rgba --steps 800 --batch 8
	$(PY) -m benchmarks.train_emoji_liif export --model rgba
	$(PY) -m benchmarks.train_emoji_liif train --model fast --steps 2000 --batch 8 --queries 2304 --lr 5e-4 --warmup 200 --eval-every 250
	$(PY) -m benchmarks.train_emoji_liif train --model fast --restart --steps 5000 --batch 8 --queries 2304 --lr 3e-4 --warmup 100 --eval-every 250
	$(PY) -m benchmarks.train_emoji_liif train --model fast --restart --steps 6500 --batch 8 --queries 2304 --lr 1.5e-4 --warmup 50 --eval-every 250
	$(PY) -m benchmarks.train_emoji_liif export --model fast

clean:
	rm -rf $(DEMO_OUT) .pytest_cache
