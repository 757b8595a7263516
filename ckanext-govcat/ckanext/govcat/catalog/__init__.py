"""The catalog room: pure domain logic of the national catalog system (codes, classification tree,
controlled vocabularies, USCC, region codes, validation rules R1–R20). No CKAN imports, so the
validators, the workbook importer and the harvesters share it and its tests run in milliseconds.
"""
