"""Configuration: [tool.skillreducer] in pyproject.toml, or skillreducer.toml."""

from __future__ import annotations

import copy
import fnmatch
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillreducer import profiles, resources
from skillreducer.lint.rule import FAMILIES, SEVERITIES
from skillreducer.profiles import DEFAULT_PROFILE

KNOWN_KEYS = {"select", "ignore", "per-path-ignores", "severity", "profile", "thresholds", "fail-level"}


class ConfigError(Exception):
    pass


@dataclass
class Config:
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    profile: str = DEFAULT_PROFILE
    thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_level: str = "warning"
    root: Path = field(default_factory=Path.cwd)  # folder the config was found in
    source: str | None = None

    def selects(self, code: str) -> bool:
        return _matches(code, self.select) and not _matches(code, self.ignore)

    def ignored_at(self, code: str, path: str) -> bool:
        """Per-path ignores; `path` is absolute, patterns are relative to the config's folder."""
        if not self.per_path_ignores:
            return False
        try:
            relative = Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            relative = Path(path).as_posix()
        for pattern, codes in self.per_path_ignores.items():
            if (fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, pattern.rstrip("/") + "/*")) and _matches(code, codes):
                return True
        return False

    def limits(self) -> dict[str, dict[str, Any]]:
        merged = copy.deepcopy(resources.default_limits())
        for section, values in self.thresholds.items():
            merged.setdefault(section, {}).update(values)
        return merged

    def fingerprint(self) -> str:
        state = {k: v for k, v in self.__dict__.items() if k not in ("root", "source")}
        return hashlib.blake2b(json.dumps(state, sort_keys=True, default=str).encode(), digest_size=8).hexdigest()


def _matches(code: str, selectors: list[str]) -> bool:
    family = FAMILIES.get(code[2:3], "")
    return any(s == "ALL" or code.startswith(s) or s == family for s in selectors)


def _validate_selectors(values: Any, key: str) -> list[str]:
    if isinstance(values, str):
        values = [v.strip() for v in values.split(",") if v.strip()]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{key} must be a list of rule codes")
    families = set(FAMILIES.values())
    for value in values:
        if not (value == "ALL" or value in families or (value.startswith("SR") and value[2:].isdigit() and len(value) <= 5)):
            raise ConfigError(f"{key}: {value!r} is not a rule code, code prefix, family name or ALL")
    return values


def find_config(start: Path) -> Path | None:
    current = start.resolve()
    for folder in (current, *current.parents):
        for name in ("skillreducer.toml", "pyproject.toml"):
            candidate = folder / name
            if candidate.is_file():
                if name == "pyproject.toml":
                    try:
                        if "skillreducer" not in tomllib.loads(candidate.read_text(encoding="utf-8")).get("tool", {}):
                            continue
                    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
                        continue
                return candidate
    return None


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    path = path or find_config(start or Path.cwd())
    if path is None:
        return Config()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    if Path(path).name == "pyproject.toml" or "tool" in data:
        data = data.get("tool", {}).get("skillreducer", {})
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(KNOWN_KEYS))}")
    config = Config(root=Path(path).resolve().parent, source=str(path))
    if "select" in data:
        config.select = _validate_selectors(data["select"], "select")
    if "ignore" in data:
        config.ignore = _validate_selectors(data["ignore"], "ignore")
    for pattern, codes in data.get("per-path-ignores", {}).items():
        config.per_path_ignores[pattern] = _validate_selectors(codes, f"per-path-ignores[{pattern!r}]")
    for code, level in data.get("severity", {}).items():
        if level not in SEVERITIES:
            raise ConfigError(f"{path}: severity of {code} must be one of {', '.join(SEVERITIES)}")
        config.severity[code] = level
    if "profile" in data:
        config.profile = str(data["profile"])
    if "fail-level" in data:
        if data["fail-level"] not in SEVERITIES:
            raise ConfigError(f"{path}: fail-level must be one of {', '.join(SEVERITIES)}")
        config.fail_level = data["fail-level"]
    defaults = resources.default_limits()
    for section, values in data.get("thresholds", {}).items():
        if section not in defaults or not isinstance(values, dict):
            raise ConfigError(f"{path}: thresholds.{section} is not a threshold section ({', '.join(defaults)})")
        for key, value in values.items():
            if key not in defaults[section]:
                raise ConfigError(f"{path}: thresholds.{section}.{key} is not a known threshold")
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ConfigError(f"{path}: thresholds.{section}.{key} must be a number")
        config.thresholds[section] = dict(values)
    return config


def load_for_command(path: Path | None, profile: str | None) -> Config:
    """The configuration a command runs with: the file (given or found) and --profile."""
    config = load_config(path) if path else load_config()
    if profile:
        config.profile = profile
    if config.profile not in profiles.available():
        raise ConfigError(f"unknown profile {config.profile!r}; choose from {', '.join(profiles.available())}")
    return config


def env_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
