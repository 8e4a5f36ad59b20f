"""Operations steered by the risk levels: work resumption of enterprises (复工复产), supervision of the ten
standing duties (十个不放松) and front-line medical supplies. Tables in ``models`` (revision 0003 of the store);
policies and checklists are data files next to the code (``resumption.yaml``, ``duties.yaml``, ``supplies.yaml``).
"""
