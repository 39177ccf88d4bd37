"""Build step that pyproject.toml cannot express: compile the translation catalogues.

The compiled ``.mo`` files are not kept in git (they are build output); a wheel or
``pip install .`` compiles every ``locale/*/LC_MESSAGES/*.po`` with Babel, so that an
installed Amparo speaks Spanish without gettext on the server.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in Path("locale").glob("*/LC_MESSAGES/*.po"):
            with po_path.open("rb") as po_file:
                catalogue = read_po(po_file)
            with po_path.with_suffix(".mo").open("wb") as mo_file:
                write_mo(mo_file, catalogue)
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogues})
