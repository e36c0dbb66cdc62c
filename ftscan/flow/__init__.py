"""Following names from the ids the first phase found to the code that calls the model.

- :mod:`.facts`: what a module binds, imports, reads and calls, in one vocabulary for every
  language (plug-ins in :mod:`ftscan.languages` produce them);
- :mod:`.graph`: the value-flow graph and its fixpoint;
- :mod:`.build` and :mod:`.deploy`: the graph from code facts, and from names bound outside
  code (environment variables, Terraform, Helm);
- :mod:`.phase`: the alias phase, round by round, and the use sites it finds;
- :mod:`.findings`: use sites as findings.
"""
