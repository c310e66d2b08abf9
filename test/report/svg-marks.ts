/**
 * Reads vega's SVG output just enough to count data marks: vega writes each mark as a group whose
 * class names the mark (`<name>_marks`, or `<name>_child_marks` inside a facet) and puts one
 * element per mark item directly inside it.
 */

/** The inline SVG of the figure with the given id in a report page. */
export function figureSvg(html: string, figureId: string): string {
  const start = html.indexOf(`<figure id="${figureId}">`);
  if (start < 0) throw new Error(`no figure ${figureId} in the page`);
  const svgStart = html.indexOf('<svg', start);
  const svgEnd = html.indexOf('</svg>', svgStart);
  if (svgStart < 0 || svgEnd < 0) throw new Error(`figure ${figureId} holds no svg`);
  return html.slice(svgStart, svgEnd + '</svg>'.length);
}

const TAG = /<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g;

/**
 * Counts the items of every mark group whose name starts with `markName` (facets repeat a mark once per
 * cell), i.e. the direct children of `<g class="mark-… role-mark <markName>…_marks">`.
 */
export function countMarkItems(svg: string, markName: string): { groups: number; items: number } {
  let groups = 0;
  let items = 0;
  // Depth of the tag stack, and the depth at which the current mark group was opened (or -1).
  let depth = 0;
  let groupDepth = -1;
  for (const match of svg.matchAll(TAG)) {
    const [, closing, , attributes, selfClosing] = match;
    if (closing) {
      depth -= 1;
      if (depth === groupDepth) groupDepth = -1;
      continue;
    }
    if (groupDepth >= 0 && depth === groupDepth + 1) items += 1;
    const className = /\sclass="([^"]*)"/.exec(attributes)?.[1] ?? '';
    const isMarkGroup =
      className.split(/\s+/).includes('role-mark') &&
      className.split(/\s+/).some((token) => token.startsWith(`${markName}_`) && token.endsWith('_marks'));
    if (!selfClosing) {
      if (isMarkGroup && groupDepth < 0) {
        groups += 1;
        groupDepth = depth;
      }
      depth += 1;
    }
  }
  return { groups, items };
}
