"""Run PHP (php-cli + php-soap) scripts, to test ngnpro with a real SoapClient."""

import functools
import os
import shutil
import subprocess
import tempfile


class PHPError(RuntimeError):
    pass


def find_php():
    return shutil.which("php")


@functools.lru_cache(maxsize=None)
def php_modules():
    """Lower-cased names of the loaded PHP extensions (empty if no php)."""
    php = find_php()
    if not php:
        return frozenset()
    out = subprocess.run([php, "-m"], capture_output=True, text=True, timeout=30)
    return frozenset(line.strip().lower() for line in out.stdout.splitlines()
                     if line.strip() and not line.startswith("["))


def php_missing():
    """Why PHP SOAP tests cannot run (a message naming the package), or None."""
    if not find_php():
        return "php not found: apt-get install php-cli php-soap php-xml (.ci/install-deps)"
    for ext, pkg in (("soap", "php-soap"), ("libxml", "php-xml")):
        if ext not in php_modules():
            return f"PHP extension '{ext}' not loaded: apt-get install {pkg}"
    return None


def php_available():
    return php_missing() is None


def run_php(script, timeout=30, strict=False):
    """Run a PHP script and return its stdout.

    ``script`` may omit the ``<?php`` opening tag. Raises PHPError when PHP
    exits non-zero (fatal error, uncaught exception, exit(1)), or with
    strict=True also when it printed anything on stderr (warnings, notices).
    """
    php = find_php()
    if not php:
        raise PHPError(php_missing())
    if not script.lstrip().startswith("<?php"):
        script = "<?php\n" + script
    # A file rather than -r: no shell quoting issues, and error messages carry
    # useful line numbers.
    with tempfile.NamedTemporaryFile("w", suffix=".php", delete=False) as f:
        f.write(script)
    try:
        # Errors go to stderr (CLI default is stdout, mixing them with output);
        # E_ALL so notices and deprecations are not hidden.
        cmd = [php, "-d", "error_reporting=E_ALL", "-d", "display_errors=stderr",
               "-d", "log_errors=0", "-d", "default_socket_timeout=%d" % timeout, f.name]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            so_far = e.stdout.decode(errors="replace") if e.stdout else ""
            raise PHPError(f"php timed out after {timeout}s; stdout so far:\n{so_far}") from None
    finally:
        os.unlink(f.name)
    if out.returncode != 0 or (strict and out.stderr.strip()):
        raise PHPError(f"php exited with {out.returncode}\n--- stderr ---\n{out.stderr}"
                       f"--- stdout ---\n{out.stdout}")
    return out.stdout
