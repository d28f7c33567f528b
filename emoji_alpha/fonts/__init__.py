"""Colour emoji fonts: glyph extraction (sbix, CBDT, COLR, SVG), codepoint naming, matching.

``extract`` pulls every colour glyph out of a font (every face of a collection) as an RGBA
PNG named after its codepoint sequence or its glyph name; ``naming`` turns cmap + GSUB
ligatures into those names; ``match`` pairs two folders of extracted glyphs (by any of a
glyph's sequences, then by perceptual hash).
"""
