from moo_core.registry import Registry

PROBLEMS: Registry = Registry("problem")
