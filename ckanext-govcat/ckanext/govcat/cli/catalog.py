"""``ckan govcat catalog …`` commands: workbook import and export."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

import ckan.plugins.toolkit as tk

from . import govcat


@govcat.group(name="catalog")
def catalog() -> None:
    """The government information-resource catalog."""


@catalog.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "organization", help="Department (name) all rows belong to; default: "
              "match each row's provider code or name.")
@click.option("--dry-run", is_flag=True, help="Only check the file and report; write nothing.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the row report as .xlsx (the sheet plus a 校验结果 column).")
def import_(file: Path, organization: Optional[str], dry_run: bool,
            report_path: Optional[Path]) -> None:
    """Import a catalog workbook (1272 filling template, .xlsx or .csv). All or nothing: a file
    with any error changes nothing and the command exits with status 1."""
    from ..catalog.workbook import WorkbookError
    from ..logic import importer

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    try:
        with open(file, "rb") as handle:
            report, existing = importer.read(handle, file.name, organization=organization)
    except (WorkbookError, tk.ObjectNotFound) as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(2)
    summary = report.summary()
    for line in report.lines:
        color = "red" if line.severity == "error" else "yellow"
        click.secho(f"第{line.row}行 [{line.resource}] {line.column}: {line.message}", fg=color,
                    err=True)
    click.echo(f"{summary['resources']} 个信息资源, {summary['data_items']} 个信息项, "
               f"{summary['errors']} 个错误, {summary['warnings']} 个提示")
    if report_path:
        with open(file, "rb") as handle:
            report_path.write_bytes(importer.error_report(handle, file.name, report))
        click.echo(f"报告已写入 {report_path}")
    if not report.ok:
        click.secho("文件有错误，未导入任何数据。", fg="red", err=True)
        sys.exit(1)
    if dry_run:
        click.echo("检查通过（试运行，未写入）。")
        return
    with click.progressbar(length=len(report.entries), label="导入", file=sys.stderr) as bar:
        created, updated = importer.write(report, existing, site_user, bar.update)
    click.echo(f"已新建 {len(created)} 个、更新 {len(updated)} 个信息资源。")


@catalog.command(name="export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scope", type=click.Choice(["all", "share", "open"]), default="all",
              show_default=True, help="Whole catalog, the share catalog or the open catalog.")
@click.option("--org", "organization", help="Only this department (name).")
@click.option("--include-private", is_flag=True,
              help="Every dataset, private and closed ones too (default: what the public sees).")
def export(file: Path, scope: str, organization: Optional[str], include_private: bool) -> None:
    """Export the catalog in the filling-template layout (.xlsx): by default the datasets the
    public may see, as the portal's export page gives them to a visitor."""
    from ..logic import importer

    file.write_bytes(importer.export_workbook(scope, organization, include_private))
    click.echo(f"已导出到 {file}")


def get_commands() -> list[click.Command]:
    return [govcat]
