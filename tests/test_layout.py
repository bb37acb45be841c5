"""The house's layout holds: a domain layer below the blueprints, and no import that runs back up."""
import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "caregiver")
# A blueprint is a package of the app with views in routes.py.
BLUEPRINTS = {name for name in os.listdir(PACKAGE) if os.path.isfile(os.path.join(PACKAGE, name, "routes.py"))}


def modules():
    """{module name: path} of the package's Python modules."""
    found = {}
    for folder, _dirs, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                module = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".").removesuffix(".__init__")
                found[module] = path
    return found


def blueprint_of(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in BLUEPRINTS else None


def import_graph():
    """{module: modules it imports}; a blueprint's `from . import bp` is how Flask blueprints are
    made, not a dependency, and is left out."""
    found = modules()
    graph = {module: set() for module in found}
    for module, path in found.items():
        package = module if path.endswith("__init__.py") else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module
            for alias in node.names:
                imported = f"{target}.{alias.name}" if f"{target}.{alias.name}" in found else target
                if imported in found and imported != module and not (
                        imported == package and blueprint_of(module) and module.startswith(package + ".")):
                    graph[module].add(imported)
    return graph


def layers(graph):
    """The longest chain of imports, counting the module at each end."""
    depth = {}

    def visit(module, path=()):
        if module in path:
            raise AssertionError(f"an import cycle: {' -> '.join(path + (module,))}")
        if module not in depth:
            depth[module] = 1 + max((visit(target, path + (module,)) for target in graph[module]), default=0)
        return depth[module]

    return max(visit(module) for module in graph)


def test_no_import_cycle_and_nothing_imports_the_package_from_inside():
    graph = import_graph()
    layers(graph)  # raises on a cycle
    assert [module for module, targets in graph.items() if "caregiver" in targets] == []


def test_no_blueprint_imports_another_and_the_domain_layer_imports_no_blueprint():
    graph = import_graph()
    across = sorted((module, target) for module, targets in graph.items() for target in targets
                    if blueprint_of(target) and blueprint_of(module) != blueprint_of(target) and module != "caregiver")
    assert across == []
