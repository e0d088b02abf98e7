"""Package hygiene for the Word templates: the parts around ``word/document.xml``.

python-docx's blank document (``docx.Document()``) comes from a Word 2011 for Mac file: it opens in
Word's compatibility mode, its theme and language are Japanese/English, its Title has a blue rule,
it carries a Letter-size thumbnail and the statistics of that old file. :func:`tidy` fixes all of
that just before a template is saved; :func:`app_xml` and :func:`drop_thumbnail` are also used at
render time (``salespm_docs.render.docx``). Everything here is deterministic: same document in,
same XML out.

Fields: ``w:updateFields`` is left off on purpose. With it, Word asks on every opening "此文档包含
的域可能引用了其他文件。是否更新此文档中的域？", an alarming prompt for a plain report; and it is not
needed for PAGE / NUMPAGES in headers and footers, which Word, WPS and LibreOffice recompute
whenever they lay out pages. ``tidy(..., update_fields=True)`` still sets it, for a document that
gets a table of contents one day.
"""

from __future__ import annotations

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

APPLICATION = "salespm-docs"
LANGUAGE = "zh-CN"
#: The theme's East-Asian fonts for simplified Chinese (major = headings, minor = body text); the
#: styles name their fonts explicitly, these are what a theme-font reference falls back to.
THEME_HANS = {"majorFont": "黑体", "minorFont": "宋体"}

_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_WORD = "http://schemas.microsoft.com/office/word"
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_APP_PART = "/docProps/app.xml"
_THEME_TYPE = "application/vnd.openxmlformats-officedocument.theme+xml"

#: Word 2013 and later ("15"): no 「兼容模式」 in the title bar. The other three are what Word
#: itself writes next to it; ``w:useFELayout`` (East-Asian layout) stays where present.
COMPAT_SETTINGS = (
    ("compatibilityMode", "15"),
    ("overrideTableStyleFontSizeAndJustification", "1"),
    ("enableOpenTypeFeatures", "1"),
    ("doNotFlipMirrorIndents", "1"),
)

#: The styles made bold (when present), with their linked character styles.
BOLD_STYLES = ("Title", "TitleChar", *(f"Heading{n}" for n in range(1, 10)),
               *(f"Heading{n}Char" for n in range(1, 10)))

# The order of the children of w:settings (ECMA-376 CT_Settings), to insert an element in place.
_SETTINGS_ORDER = (
    "w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation", "w:removeDateAndTime",
    "w:doNotDisplayPageBoundaries", "w:displayBackgroundShape", "w:printPostScriptOverText",
    "w:printFractionalCharacterWidth", "w:printFormsData", "w:embedTrueTypeFonts",
    "w:embedSystemFonts", "w:saveSubsetFonts", "w:saveFormsData", "w:mirrorMargins",
    "w:alignBordersAndEdges", "w:bordersDoNotSurroundHeader", "w:bordersDoNotSurroundFooter",
    "w:gutterAtTop", "w:hideSpellingErrors", "w:hideGrammaticalErrors", "w:activeWritingStyle",
    "w:proofState", "w:formsDesign", "w:attachedTemplate", "w:linkStyles",
    "w:stylePaneFormatFilter", "w:stylePaneSortMethod", "w:documentType", "w:mailMerge",
    "w:revisionView", "w:trackRevisions", "w:doNotTrackMoves", "w:doNotTrackFormatting",
    "w:documentProtection", "w:autoFormatOverride", "w:styleLockTheme", "w:styleLockQFSet",
    "w:defaultTabStop", "w:autoHyphenation", "w:consecutiveHyphenLimit", "w:hyphenationZone",
    "w:doNotHyphenateCaps", "w:showEnvelope", "w:summaryLength", "w:clickAndTypeStyle",
    "w:defaultTableStyle", "w:evenAndOddHeaders", "w:bookFoldRevPrinting", "w:bookFoldPrinting",
    "w:bookFoldPrintingSheets", "w:drawingGridHorizontalSpacing", "w:drawingGridVerticalSpacing",
    "w:displayHorizontalDrawingGridEvery", "w:displayVerticalDrawingGridEvery",
    "w:doNotUseMarginsForDrawingGridOrigin", "w:drawingGridHorizontalOrigin",
    "w:drawingGridVerticalOrigin", "w:doNotShadeFormData", "w:noPunctuationKerning",
    "w:characterSpacingControl", "w:printTwoOnOne", "w:strictFirstAndLastChars",
    "w:noLineBreaksAfter", "w:noLineBreaksBefore", "w:savePreviewPicture",
    "w:doNotValidateAgainstSchema", "w:saveInvalidXml", "w:ignoreMixedContent",
    "w:alwaysShowPlaceholderText", "w:doNotDemarcateInvalidXml", "w:saveXmlDataOnly",
    "w:useXSLTWhenSaving", "w:saveThroughXslt", "w:showXMLTags", "w:alwaysMergeEmptyNamespace",
    "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat",
    "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang",
    "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures",
    "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType",
    "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol",
    "w:listSeparator",
)


def tidy(document, *, update_fields: bool = False) -> None:
    """Fix the package parts of a python-docx ``Document`` about to be saved as a template."""
    _settings(document.settings.element, update_fields)
    _styles(document.styles.element)
    _theme(document.part.package)
    package = document.part.package
    drop_thumbnail(package)
    _drop_rels(document.part, _STYLES_WITH_EFFECTS)  # Word 2010's stale copy of styles.xml
    core = document.core_properties
    core.author = core.last_modified_by = core.comments = core.title = ""
    core.language = LANGUAGE
    core.revision = 1
    set_app_properties(package, company="", title="")


# ------------------------------------------------------------------------------------- settings

def _child(parent, tag: str, order: tuple[str, ...] = _SETTINGS_ORDER):
    """``parent``'s ``tag`` child, created in its schema position when missing."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        later = order[order.index(tag) + 1:]
        parent.insert_element_before(found, *later)
    return found


def _remove(parent, tag: str) -> None:
    for node in parent.findall(qn(tag)):
        parent.remove(node)


def _settings(settings, update_fields: bool) -> None:
    compat = _child(settings, "w:compat")
    existing = {c.get(qn("w:name")): c for c in compat.findall(qn("w:compatSetting"))}
    for name, value in COMPAT_SETTINGS:
        node = existing.get(name)
        if node is None:
            node = OxmlElement("w:compatSetting")
            compat.append(node)
        node.set(qn("w:name"), name)
        node.set(qn("w:uri"), _WORD)
        node.set(qn("w:val"), value)
    _remove(settings, "w:updateFields")
    if update_fields:
        _child(settings, "w:updateFields").set(qn("w:val"), "true")
    lang = _child(settings, "w:themeFontLang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), LANGUAGE)
    # What Chinese Word writes: full-width punctuation compressed at line ends (标点压缩).
    _child(settings, "w:characterSpacingControl").set(qn("w:val"), "compressPunctuation")
    # No preview picture is kept (see drop_thumbnail); no stale "spelling checked" claim.
    _remove(settings, "w:savePreviewPicture")
    _remove(settings, "w:proofState")


# --------------------------------------------------------------------------------------- styles

def _styles(styles) -> None:
    rpr = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is None:
        defaults = _ensure(styles, "w:docDefaults", first=True)
        rpr = _ensure(_ensure(defaults, "w:rPrDefault", first=True), "w:rPr")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)  # w:lang comes late in CT_RPr; the default rPr holds nothing after it
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), LANGUAGE)
    if lang.get(qn("w:bidi")) is None:
        lang.set(qn("w:bidi"), "ar-SA")
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    title = by_id.get("Title")
    if title is not None:
        ppr = title.find(qn("w:pPr"))
        if ppr is not None:
            _remove(ppr, "w:pBdr")
    for style_id in BOLD_STYLES:
        style = by_id.get(style_id)
        if style is None:
            continue
        rpr = style.get_or_add_rPr()
        for node in (rpr.get_or_add_b(), rpr.get_or_add_bCs()):
            node.attrib.pop(qn("w:val"), None)  # on: <w:b/>, never <w:b w:val="0"/>


def _ensure(parent, tag: str, first: bool = False):
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.insert(0, found) if first else parent.append(found)
    return found


# ---------------------------------------------------------------------------------------- theme

def _theme(package) -> None:
    for part in package.iter_parts():
        if part.content_type != _THEME_TYPE:
            continue
        root = etree.fromstring(part.blob)
        for kind, face in THEME_HANS.items():
            for font in root.iter(f"{{{_A}}}{kind}"):
                ea = font.find(f"{{{_A}}}ea")
                if ea is not None:
                    ea.set("typeface", face)
                hans = [f for f in font.findall(f"{{{_A}}}font") if f.get("script") == "Hans"]
                if hans:
                    hans[0].set("typeface", face)
                else:
                    etree.SubElement(font, f"{{{_A}}}font", script="Hans", typeface=face)
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ------------------------------------------------------------------------------- package, props

def _drop_rels(source, reltype: str) -> None:
    """Remove ``source``'s relationships of ``reltype``; a part nothing points to is not saved."""
    for rid in sorted(r.rId for r in source.rels.values() if r.reltype == reltype):
        source.rels.pop(rid)


def drop_thumbnail(package) -> None:
    """No ``docProps/thumbnail.*``: the stock one is a blank Letter page, a template's is stale."""
    _drop_rels(package, RT.THUMBNAIL)


def app_xml(company: str = "", title: str = "") -> bytes:
    """``docProps/app.xml``: who made it, the company, the title; no stale page or word counts."""
    root = etree.Element(f"{{{_EP}}}Properties", nsmap={None: _EP, "vt": _VT})

    def add(name: str, text: str | None = None):
        node = etree.SubElement(root, f"{{{_EP}}}{name}")
        node.text = text
        return node

    def vector(parent, base: str, size: int):
        return etree.SubElement(parent, f"{{{_VT}}}vector", size=str(size), baseType=base)

    add("Template", "Normal.dotm")
    add("TotalTime", "0")
    add("Application", APPLICATION)
    add("DocSecurity", "0")
    add("ScaleCrop", "false")
    if title:
        pairs = vector(add("HeadingPairs"), "variant", 2)
        etree.SubElement(etree.SubElement(pairs, f"{{{_VT}}}variant"), f"{{{_VT}}}lpstr").text = "标题"
        etree.SubElement(etree.SubElement(pairs, f"{{{_VT}}}variant"), f"{{{_VT}}}i4").text = "1"
        etree.SubElement(vector(add("TitlesOfParts"), "lpstr", 1), f"{{{_VT}}}lpstr").text = title
    add("Company", company or None)
    add("LinksUpToDate", "false")
    add("SharedDoc", "false")
    add("HyperlinksChanged", "false")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_app_properties(package, company: str = "", title: str = "") -> None:
    """Replace the package's ``docProps/app.xml`` (python-docx keeps it as an opaque blob)."""
    blob = app_xml(company, title)
    for part in package.iter_parts():
        if str(part.partname) == _APP_PART:
            part._blob = blob
            return
    part = Part(PackURI(_APP_PART), CT.OFC_EXTENDED_PROPERTIES, blob, package)
    package.relate_to(part, RT.EXTENDED_PROPERTIES)
