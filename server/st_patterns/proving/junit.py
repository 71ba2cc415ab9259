"""JUnit XML for a validation run, so CI systems show each check as a test case."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from st_patterns.models import ValidationSummary


def to_junit_xml(summary: ValidationSummary) -> str:
    """One <testsuite> per pattern, one <testcase> per check; a pattern that failed to boot is one failing case."""
    root = ET.Element(
        "testsuites",
        name="st-patterns validate",
        tests=str(summary.checks),
        failures=str(summary.failed_checks),
        time=f"{summary.seconds:.3f}",
    )
    for report in summary.reports:
        suite = ET.SubElement(
            root,
            "testsuite",
            name=report.pattern_id,
            tests=str(max(report.total, 1)),
            failures=str(report.failed),
            skipped=str(int(report.skipped is not None)),
            time=f"{report.seconds:.3f}",
            timestamp=report.started_at,
        )
        if report.error:
            case = ET.SubElement(suite, "testcase", classname=report.pattern_id, name="boot", time="0")
            ET.SubElement(case, "failure", message="failed to boot").text = report.error
        if report.skipped:
            case = ET.SubElement(suite, "testcase", classname=report.pattern_id, name="sidecars", time="0")
            ET.SubElement(case, "skipped", message=report.skipped)
        for check in report.checks:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{report.pattern_id}.{check.group}",
                name=check.name,
                time=f"{check.seconds:.3f}",
            )
            if not check.passed:
                failure = ET.SubElement(case, "failure", message=f"expected {check.expected}")
                failure.text = f"expected: {check.expected}\nactual: {check.actual}"
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
