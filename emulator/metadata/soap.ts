/*
 * SOAP envelopes of the Metadata API: reading a request's operation element and writing responses and faults the
 * way Salesforce does (booleans as strings, one item as one element, faults as HTTP 500 with `sf:` fault codes),
 * which is what jsforce's SOAP client parses.
 */
import type { Reply } from '../core/types.js';
import { parseXml, toXml, type XmlObject } from './xml.js';

/** The operation element of a SOAP request body, parsed with namespaces removed. */
export function soapOperation(raw: string): { operation: string; body: XmlObject } {
  const { value } = parseXml(raw);
  const bodyEl = value.Body as XmlObject | undefined;
  if (!bodyEl || typeof bodyEl !== 'object') throw new Error('SOAP request without a Body');
  const operation = Object.keys(bodyEl)[0];
  const body = bodyEl[operation];
  return { operation, body: typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {} };
}

/** Converts booleans and numbers to the strings SOAP carries; drops undefined. */
export function soapValue(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(soapValue);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) out[k] = soapValue(v);
    }
    return out;
  }
  return value;
}

export function soapResponse(operation: string, result: unknown): Reply {
  const resultXml = result === undefined ? '' : toXml('result', soapValue(result), '', '');
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"' +
    ' xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body><${operation}Response>${resultXml}</${operation}Response></soapenv:Body></soapenv:Envelope>`;
  return { status: 200, body, contentType: 'text/xml; charset=utf-8' };
}

export function soapFault(code: string, message: string): Reply {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"' +
    ' xmlns:sf="http://soap.sforce.com/2006/04/metadata">' +
    `<soapenv:Body><soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${escape(`${code}: ${message}`)}</faultstring>` +
    '</soapenv:Fault></soapenv:Body></soapenv:Envelope>';
  return { status: 500, body, contentType: 'text/xml; charset=utf-8' };
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
