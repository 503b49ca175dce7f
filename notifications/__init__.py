"""kaohe."""
