import { describe, expect, test } from 'vitest';
import {
  caseActions, describeError, formatDuration, formatPValue, isLateUpload, ordersByDevice,
  parseRoute, proofOfDelivery, weightDifference,
} from './format.js';
import { hotspotChartRows, hotspotSummary } from './hotspot_view.js';

describe('formatDuration', () => {
  test('shows the two largest units', () => {
    expect(formatDuration(2 * 86400 + 3 * 3600 + 59)).toBe('2 d 3 h');
  });
  test('stops at the first empty unit after a filled one', () => {
    expect(formatDuration(86400 + 30)).toBe('1 d');
  });
  test('shows zero as seconds', () => {
    expect(formatDuration(0)).toBe('0 s');
  });
});

describe('isLateUpload', () => {
  const scan = { time: '2026-03-02T06:00:00Z', recorded_at: '2026-03-02T06:05:00Z' };
  test('uses the API flag when present', () => {
    expect(isLateUpload({ ...scan, late: true })).toBe(true);
  });
  test('reads received before recorded_at', () => {
    expect(isLateUpload({ ...scan, received: '2026-03-04T06:00:00Z' })).toBe(true);
  });
  test('is on time within the threshold', () => {
    expect(isLateUpload(scan)).toBe(false);
  });
});

test('weightDifference is measured minus declared', () => {
  expect(weightDifference({ weight_g: 310 }, 520)).toBe(-210);
  expect(weightDifference({}, 520)).toBeNull();
});

test('proofOfDelivery at a locker is strong and at the door weak', () => {
  expect(proofOfDelivery({ type: 'delivered', node_type: 'locker' }).strength).toBe('strong');
  expect(proofOfDelivery({ type: 'delivered' })).toEqual({ kind: 'doorstep', strength: 'weak' });
  expect(proofOfDelivery({ type: 'arrived' })).toBeNull();
});

test('caseActions offers approval only while a lock waits', () => {
  expect(caseActions('awaiting_approval')).toEqual(['approve-lock', 'reject-lock']);
  expect(caseActions('approved')).toContain('unlock');
  expect(caseActions('unlocked')).toEqual([]);
});

test('describeError names the four-eyes rule', () => {
  expect(describeError({ status: 409, reason: 'second_officer_required' }))
    .toMatch(/second security officer/);
});

test('ordersByDevice groups and sorts by order id', () => {
  const groups = ordersByDevice([
    { device_id: 2, order_id: 5 }, { device_id: 1, order_id: 4 }, { device_id: 2, order_id: 3 },
  ]);
  expect(groups.get(2).map((order) => order.order_id)).toEqual([3, 5]);
  expect(groups.get(1)).toHaveLength(1);
});

test('parseRoute reads pages and ids', () => {
  expect(parseRoute('#/cases/12')).toEqual({ page: 'case', id: '12' });
  expect(parseRoute('')).toEqual({ page: 'cases' });
  expect(parseRoute('#/hotspots/shift')).toEqual({ page: 'hotspots', dimension: 'shift' });
});

test('formatPValue keeps tiny values readable', () => {
  expect(formatPValue(0.00001)).toBe('< 0.001');
  expect(formatPValue(0.0421)).toBe('0.0421');
  expect(formatPValue(1)).toBe('1');
});

describe('hotspot view', () => {
  const report = {
    dimension: 'terminal',
    rows_total: 2,
    rows: [
      { key: 'SE-TERM-GBG', losses: 9, expected_losses: 1.2, parcels: 400, p_value: 0.00002, q_value: 0.00004 },
      { key: 'SE-TERM-STO', losses: 1, expected_losses: 1.4, parcels: 500, p_value: 0.7, q_value: 0.7 },
    ],
  };
  test('chart rows carry significance', () => {
    const rows = hotspotChartRows(report.rows);
    expect(rows[0].significance).toBe('strong');
    expect(rows[1].significance).toBe('none');
    expect(rows[0].label).toBe('SE-TERM-GBG (p < 0.001)');
  });
  test('summary names the standout', () => {
    expect(hotspotSummary(report)).toMatch(/^1 of 2 terminal rows stand out\. SE-TERM-GBG: 9 lost/);
  });
});
