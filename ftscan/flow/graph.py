"""The value-flow graph and its fixpoint: which values can reach each place.

Nodes are places that hold values (a variable, an object's field, an environment variable, a
call's result); values are definitions (a literal id found by the first phase), values from
outside the repository, and abstract objects (a module, a class, an instance, a function, a dict
or list literal). An edge ``a -> b`` says every value of ``a`` is a value of ``b``; a *watch* on
a node runs a rule for every object that reaches it (an attribute read, a call), and the rule
adds edges as objects turn up: the classic inclusion-based analysis, solved once with a
worklist, so the work grows with the number of facts and edges, never with the number of paths
through them (the old resolver enumerated paths, and six re-assignments of one name took it
minutes).

Each node holds at most :data:`VALUE_LIMIT` values; a node that would hold more keeps what it
has and is counted as truncated (reported, never a hang). :attr:`Graph.steps` counts the
work, so tests can assert that it grows linearly with the input.

A use's flows are rebuilt afterwards, for the values that reach it: a breadth-first walk back
along edges whose source holds the value, to the node where the value was seeded, collecting the
hop each edge carries (an assignment, an import, an env read).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from ftscan.flow.facts import Span

VALUE_LIMIT = 1024
"""Values one node holds at most."""

Node = Hashable
Value = tuple[Hashable, ...]
"""``("def", index, low_confidence_reason | None)``, ``("out", kind, name, path, start, end)``
or ``("obj", kind, ...)``."""


@dataclass(frozen=True)
class Hop:
    """A step a value takes, as the user will read it: where, and what happens there."""

    path: str
    span: Span
    message: str


LEAVES_ONLY = "(leaves only)"
"""A relabel that lets definitions and values set outside cross an edge, not objects: what is
written to a file is read back as a copy, never as the writer's own object."""


def is_object(value: Value) -> bool:
    return value[0] == "obj"


def _objects(values: Iterable[Value]) -> list[Value]:
    """The objects among ``values``, in an order that does not depend on the process's hash
    seed: rules run in it, and the order they add edges in decides which values a full node
    keeps (a scan gives the same uses every time)."""
    return sorted((v for v in values if v[0] == "obj"), key=repr)


class Graph:
    """Nodes, edges, watches and the worklist that propagates values to a fixpoint."""

    def __init__(self, limit: int = VALUE_LIMIT) -> None:
        self.limit = limit
        self.values: dict[Node, set[Value]] = {}
        self.succ: dict[Node, dict[Node, Hop | None]] = {}
        self.pred: dict[Node, dict[Node, Hop | None]] = {}
        self.relabels: dict[tuple[Node, Node], str] = {}
        """Edges that mark the definitions crossing them as low confidence, and why (or, with
        :data:`LEAVES_ONLY`, that let no object cross)."""
        self.watches: dict[Node, list[Callable[[Value], None]]] = {}
        self.seeds: dict[Value, set[Node]] = {}
        self.truncated: set[Node] = set()
        self.carriers: set[Node] = set()
        """Nodes that hold a definition or a value set outside the repository."""
        self.fields: set[Node] = set()
        """The nodes of objects' fields (``("field", object, name)``)."""
        self.returns: set[Node] = set()
        """The nodes of functions' returns (``("ret", path, qualname)``)."""
        self.steps = 0
        """Units of work: values propagated along edges, rules run, edges added."""
        self.read_at: dict[Node, set[Node]] = {}
        """Where an object's contents were read: a node that received a field of an object
        (``models[k]``, ``for m in models``, ``cfg.model``) → the nodes that held the object
        when its field was read there. Values flow from the field, not from the object's
        holder, so these are the steps :meth:`leading_to` and :meth:`onward` take besides
        the edges."""
        self.reads_into: dict[Node, set[Node]] = {}
        """The same, the other way: a node that held an object → where its fields were read."""
        self._pending: dict[Node, set[Value]] = {}
        self._queue: deque[Node] = deque()
        self._watching: list[tuple[Node, Value]] = []
        """The node and object a watch rule is running for (rules can nest)."""

    # ------------------------------------------------------------------ building

    def seed(self, node: Node, value: Value) -> None:
        """``value`` is one of ``node``'s from the start (a definition where it is written)."""
        self.seeds.setdefault(value, set()).add(node)
        self._add(node, (value,))

    def edge(self, src: Node, dst: Node, hop: Hop | None = None,
             relabel: str | None = None) -> None:
        """Every value of ``src`` is a value of ``dst`` (with ``relabel``, definitions arrive
        marked low confidence for that reason)."""
        if src == dst:
            return
        if self._watching:
            holder, obj = self._watching[-1]
            if type(src) is tuple and src and src[0] == "field" and src[1] == obj:
                self.read_at.setdefault(dst, set()).add(holder)
                self.reads_into.setdefault(holder, set()).add(dst)
        out = self.succ.setdefault(src, {})
        if dst in out:
            return
        self.steps += 1
        out[dst] = hop
        self.pred.setdefault(dst, {})[src] = hop
        if relabel is not None:
            self.relabels[(src, dst)] = relabel
        known = self.values.get(src)
        if known:
            self._add(dst, self._crossing(src, dst, known))

    def _crossing(self, src: Node, dst: Node, values: Iterable[Value]) -> Iterable[Value]:
        reason = self.relabels.get((src, dst))
        if reason is None:
            return values
        if reason is LEAVES_ONLY:
            return {v for v in values if v[0] != "obj"}
        return {(v[0], v[1], reason) if v[0] == "def" and v[2] is None else v
                for v in values}

    def watch(self, node: Node, rule: Callable[[Value], None]) -> None:
        """Run ``rule`` for every object that reaches ``node``, now and later."""
        self.watches.setdefault(node, []).append(rule)
        for value in _objects(self.values.get(node, ())):
            self.steps += 1
            self._run(rule, node, value)

    def _run(self, rule: Callable[[Value], None], node: Node, value: Value) -> None:
        self._watching.append((node, value))
        try:
            rule(value)
        finally:
            self._watching.pop()

    def _add(self, node: Node, values: Iterable[Value]) -> None:
        held = self.values.get(node)
        if held is None:
            held = self.values[node] = set()
            if type(node) is tuple and node and node[0] == "field":
                self.fields.add(node)
            elif type(node) is tuple and node and node[0] == "ret":
                self.returns.add(node)
        fresh: set[Value] = set(values) - held if not isinstance(values, set) else \
            values - held
        if not fresh:
            return
        room = self.limit - len(held)
        if len(fresh) > room:
            self.truncated.add(node)
            fresh = set(sorted(fresh, key=repr)[:max(room, 0)])
            if not fresh:
                return
        held |= fresh
        if node not in self.carriers and any(v[0] in ("def", "out") for v in fresh):
            self.carriers.add(node)
        pending = self._pending.get(node)
        if pending is None:
            self._pending[node] = fresh
            self._queue.append(node)
        else:
            pending |= fresh

    # ------------------------------------------------------------------ solving

    def solve(self) -> None:
        """Propagate until nothing changes (rules may add edges and seeds as they run)."""
        while self._queue:
            node = self._queue.popleft()
            delta = self._pending.pop(node, set())
            if not delta:
                continue
            for dst in list(self.succ.get(node, ())):
                self.steps += len(delta)
                self._add(dst, self._crossing(node, dst, delta))
            rules = self.watches.get(node)
            if rules:
                for value in _objects(delta):
                    for rule in list(rules):
                        self.steps += 1
                        self._run(rule, node, value)

    # ------------------------------------------------------------------ reading

    def values_of(self, node: Node) -> set[Value]:
        return self.values.get(node, set())

    def leading_to(self, targets: Iterable[Node]) -> set[Node]:
        """Every node from which a value can reach one of ``targets``: back along the edges,
        and from a field's read to the node that held the object (``for m in models``
        leads from ``models``). Linear in the nodes and edges visited."""
        found = set(targets)
        frontier = list(found)
        while frontier:
            node = frontier.pop()
            self.steps += 1
            for src in (*self.pred.get(node, ()), *self.read_at.get(node, ())):
                if src not in found:
                    found.add(src)
                    frontier.append(src)
        return found

    def onward(self, node: Node) -> tuple[Node, ...]:
        """Where a value of ``node`` goes next: along its edges, and into the reads of the
        objects it holds (forward, what :meth:`leading_to` walks back)."""
        return (*self.succ.get(node, ()), *self.reads_into.get(node, ()))

    def path_to(self, node: Node, value: Value, max_nodes: int = 20_000) -> list[Hop] | None:
        """The hops ``value`` took from where it was seeded to ``node`` (shortest), or ``None``
        when no such path is found within ``max_nodes`` nodes."""
        sources = self.seeds.get(value, set())
        if value[0] == "def" and value[2] is not None:
            sources = sources | self.seeds.get((value[0], value[1], None), set())
        if node in sources:
            return []
        came_from: dict[Node, tuple[Node, Hop | None]] = {}
        frontier = deque([node])
        seen = {node}
        while frontier and len(seen) < max_nodes:
            current = frontier.popleft()
            for src, hop in self.pred.get(current, {}).items():
                held = self.values.get(src, ())
                if src in seen or (value not in held and not (
                        value[0] == "def" and (value[0], value[1], None) in held)):
                    continue
                seen.add(src)
                came_from[src] = (current, hop)
                if src in sources:
                    hops: list[Hop] = []
                    step = src
                    while step != node:
                        nxt, edge_hop = came_from[step]
                        if edge_hop is not None:
                            hops.append(edge_hop)
                        step = nxt
                    return hops
                frontier.append(src)
        return None
