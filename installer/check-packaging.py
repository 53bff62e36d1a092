#!/usr/bin/env python3
"""CTest lint.packaging: checks the Windows and macOS packaging files that only the Windows and macOS CI jobs use,
so that a typo in them shows here, on Linux, before a release needs them.

- installer/macos/Info.plist.in is a property list with the keys the bundle needs (identifier, versions, icon,
  minimum macOS, high DPI);
- installer/windows/vcpkg.json asks for QtKeychain >= 0.15 at a pinned baseline, the one the workflow fetches, and
  the overlay port provides 0.15.0;
- every action in .github/workflows is pinned to a full commit (40 hex digits), with its tag in a comment.
"""
import json
import plistlib
import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
problems = []


def check(condition, message):
    if not condition:
        problems.append(message)


plist = plistlib.loads((root / "installer/macos/Info.plist.in").read_bytes())
for key, expected in {
    "CFBundleIdentifier": "${MACOSX_BUNDLE_GUI_IDENTIFIER}",
    "CFBundleExecutable": "${MACOSX_BUNDLE_EXECUTABLE_NAME}",
    "CFBundleIconFile": "${MACOSX_BUNDLE_ICON_FILE}",
    "CFBundleShortVersionString": "${MACOSX_BUNDLE_SHORT_VERSION_STRING}",
    "CFBundleVersion": "${MACOSX_BUNDLE_BUNDLE_VERSION}",
    "LSMinimumSystemVersion": "${CMAKE_OSX_DEPLOYMENT_TARGET}",
    "CFBundlePackageType": "APPL",
    "NSHighResolutionCapable": True,
}.items():
    check(plist.get(key) == expected, f"Info.plist.in: {key} is {plist.get(key)!r}, expected {expected!r}")

windows = root / "installer/windows"
manifest = json.loads((windows / "vcpkg.json").read_text())
configuration = json.loads((windows / "vcpkg-configuration.json").read_text())
port = json.loads((windows / "vcpkg-ports/qtkeychain-qt6/vcpkg.json").read_text())
baseline = manifest.get("builtin-baseline", "")
check(re.fullmatch(r"[0-9a-f]{40}", baseline), f"vcpkg.json: builtin-baseline {baseline!r} is not a commit")
keychain = [d for d in manifest["dependencies"] if isinstance(d, dict) and d.get("name") == "qtkeychain-qt6"]
check(keychain and keychain[0].get("version>=") == "0.15.0", "vcpkg.json: qtkeychain-qt6 must be version>= 0.15.0")
check(port.get("version") == "0.15.0", f"overlay port qtkeychain-qt6 is {port.get('version')!r}, not 0.15.0")
check("./vcpkg-ports" in configuration.get("overlay-ports", []), "vcpkg-configuration.json: no ./vcpkg-ports overlay")
portfile = (windows / "vcpkg-ports/qtkeychain-qt6/portfile.cmake").read_text()
check(re.search(r"SHA512 [0-9a-f]{128}\b", portfile), "portfile.cmake: no SHA512 for the source archive")

workflows = sorted((root / ".github/workflows").glob("*.yml"))
check(workflows, "no workflow in .github/workflows")
for workflow in workflows:
    text = workflow.read_text()
    for number, line in enumerate(text.splitlines(), 1):
        match = re.search(r"\buses:\s*(\S+)", line)
        if not match or match.group(1).startswith("./"):
            continue
        pinned = re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", match.group(1)) and re.search(r"#\s*v\d", line)
        check(pinned, f"{workflow.name}:{number}: not pinned to a commit with its tag in a comment: {line.strip()}")
    if "VCPKG_BASELINE" in text:
        check(f"VCPKG_BASELINE: {baseline}" in text, f"{workflow.name}: VCPKG_BASELINE differs from vcpkg.json")

for problem in problems:
    print(problem)
print(f"lint.packaging: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
