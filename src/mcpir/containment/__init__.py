"""containment"""
