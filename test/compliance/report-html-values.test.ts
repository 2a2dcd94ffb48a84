import { esc, propertiesHtml, valueHtml } from '../../lib/compliance/report-html-values';

describe('judged values on the report page', () => {
  it('shows a string as plain text and other scalars as code', () => {
    expect(valueHtml('"aws:kms"')).toBe('aws:kms');
    expect(valueHtml('true')).toBe('<code>true</code>');
    expect(valueHtml('30')).toBe('<code>30</code>');
    expect(valueHtml('null')).toBe('<code>null</code>');
  });

  it('says a property is not set rather than printing undefined', () => {
    expect(valueHtml('undefined')).toBe('<i>not set</i>');
  });

  it('writes references and attributes as CloudFormation does', () => {
    expect(valueHtml('{"Ref":"AlertTopic"}')).toBe('<code>!Ref AlertTopic</code>');
    expect(valueHtml('{"Fn::GetAtt":["DataKey17AFBB84","Arn"]}')).toBe(
      '<code>!GetAtt DataKey17AFBB84.Arn</code>',
    );
  });

  it('lists scalars inline and objects as names and values, not as JSON', () => {
    expect(valueHtml('["GET","HEAD"]')).toBe(
      '<span class="list"><span>GET</span>, <span>HEAD</span></span>',
    );
    const html = valueHtml('{"Rule":{"DefaultRetention":{"Days":30,"Mode":"COMPLIANCE"}}}');
    expect(html).toBe(
      '<ul class="obj"><li><span class="k">Rule</span> <ul class="obj"><li><span class="k">DefaultRetention</span> ' +
        '<ul class="obj"><li><span class="k">Days</span> <code>30</code></li><li><span class="k">Mode</span> COMPLIANCE</li></ul>' +
        '</li></ul></li></ul>',
    );
    expect(html).not.toContain('{');
  });

  it('keeps shortened JSON as its text, escaped and marked', () => {
    const text =
      '{"Statement":[{"Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false"}},"Effe...';
    expect(valueHtml(text)).toBe(
      `<code class="shortened" title="shortened to 160 characters">${esc(text)}</code>`,
    );
    expect(valueHtml(text)).not.toContain('"Statement"');
  });

  it('escapes markup and quotes in names and values', () => {
    const hostile = `<script>alert("x")</script>'`;
    const html = propertiesHtml({ [hostile]: JSON.stringify(hostile) });
    expect(html).not.toMatch(/<script|"x"|'/);
    expect(html).toBe(`<dl class="values"><dt>${esc(hostile)}</dt><dd>${esc(hostile)}</dd></dl>`);
    expect(esc(hostile)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;');
  });

  it('says when a claim read no value', () => {
    expect(propertiesHtml({})).toBe('<i>no template value read</i>');
  });
});
