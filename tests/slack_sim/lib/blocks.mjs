// Block Kit validation with the limits of slack-protocol.md §7. Each function returns a list of
// problems in Slack's wording: "<what> [json-pointer:/blocks/0/text/text]"; empty means valid.

const blockTypes = new Set(['section', 'header', 'context', 'divider', 'actions', 'input', 'image', 'rich_text',
  'markdown', 'file', 'video']);
const inputElements = new Set(['plain_text_input', 'static_select', 'multi_static_select', 'users_select',
  'multi_users_select', 'conversations_select', 'multi_conversations_select', 'channels_select',
  'multi_channels_select', 'external_select', 'multi_external_select', 'checkboxes', 'radio_buttons',
  'datepicker', 'timepicker', 'datetimepicker', 'email_text_input', 'number_input', 'url_text_input',
  'rich_text_input', 'file_input']);
const actionElements = new Set([...inputElements, 'button', 'overflow', 'workflow_button']);

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

class Checker {
  problems = [];
  actionIds = new Set();
  blockIds = new Set();

  fail(path, what) {
    this.problems.push(`${what} [json-pointer:${path}]`);
  }

  maxLength(path, value, max) {
    if (typeof value === 'string' && value.length > max) this.fail(path, `must be less than ${max + 1} characters`);
  }

  text(path, t, { max, plainOnly = false, required = true }) {
    if (t === undefined && !required) return;
    if (!isObject(t)) return this.fail(path, 'must provide an object');
    if (t.type !== 'plain_text' && t.type !== 'mrkdwn') return this.fail(`${path}/type`, 'must be a valid enum value');
    if (plainOnly && t.type !== 'plain_text') return this.fail(`${path}/type`, 'must be plain_text');
    if (typeof t.text !== 'string' || t.text.length === 0) {
      return this.fail(`${path}/text`, 'must be more than 0 characters');
    }
    this.maxLength(`${path}/text`, t.text, max);
  }

  option(path, o, textMax) {
    if (!isObject(o)) return this.fail(path, 'must provide an object');
    this.text(`${path}/text`, o.text, { max: textMax });
    if (typeof o.value !== 'string') return this.fail(`${path}/value`, 'must provide a string');
    this.maxLength(`${path}/value`, o.value, 150);
  }

  options(path, list, max) {
    if (!Array.isArray(list) || list.length === 0) return this.fail(path, 'must provide an array with at least 1 item');
    if (list.length > max) this.fail(path, `must provide an array with no more than ${max} items`);
    list.forEach((o, i) => this.option(`${path}/${i}`, o, 75));
  }

  actionId(path, id) {
    if (id === undefined) return;
    if (typeof id !== 'string' || id.length === 0) return this.fail(path, 'must be more than 0 characters');
    this.maxLength(path, id, 255);
    if (this.actionIds.has(id)) this.fail(path, 'must be unique within the message or view');
    this.actionIds.add(id);
  }

  element(path, e, allowed) {
    if (!isObject(e)) return this.fail(path, 'must provide an object');
    if (e.type === 'image') return this.image(path, e);
    if (!allowed.has(e.type)) return this.fail(`${path}/type`, 'must be a valid enum value');
    this.actionId(`${path}/action_id`, e.action_id);
    switch (e.type) {
      case 'button':
        this.text(`${path}/text`, e.text, { max: 75, plainOnly: true });
        this.maxLength(`${path}/value`, e.value, 2000);
        this.maxLength(`${path}/url`, e.url, 3000);
        if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') {
          this.fail(`${path}/style`, 'must be a valid enum value');
        }
        break;
      case 'static_select':
      case 'multi_static_select':
        this.text(`${path}/placeholder`, e.placeholder, { max: 150, plainOnly: true, required: false });
        if (e.option_groups === undefined) this.options(`${path}/options`, e.options, 100);
        else if (!Array.isArray(e.option_groups)) this.fail(`${path}/option_groups`, 'must provide an array');
        break;
      case 'checkboxes':
      case 'radio_buttons':
        this.options(`${path}/options`, e.options, 10);
        break;
      case 'overflow':
        this.options(`${path}/options`, e.options, 5);
        break;
      case 'plain_text_input':
        this.text(`${path}/placeholder`, e.placeholder, { max: 150, plainOnly: true, required: false });
        if (e.max_length !== undefined
          && !(Number.isInteger(e.max_length) && e.max_length >= 1 && e.max_length <= 3000)) {
          this.fail(`${path}/max_length`, 'must be an integer between 1 and 3000');
        }
        this.maxLength(`${path}/initial_value`, e.initial_value, 3000);
        break;
      default:
        this.text(`${path}/placeholder`, e.placeholder, { max: 150, plainOnly: true, required: false });
    }
  }

  image(path, b) {
    if (typeof b.image_url !== 'string' && !isObject(b.slack_file)) {
      this.fail(`${path}/image_url`, 'must provide a string');
    }
    if (typeof b.alt_text !== 'string') this.fail(`${path}/alt_text`, 'must provide a string');
    this.maxLength(`${path}/image_url`, b.image_url, 3000);
    this.maxLength(`${path}/alt_text`, b.alt_text, 2000);
  }

  block(path, b) {
    if (!isObject(b)) return this.fail(path, 'must provide an object');
    if (!blockTypes.has(b.type)) return this.fail(`${path}/type`, 'must be a valid enum value');
    if (b.block_id !== undefined) {
      if (typeof b.block_id !== 'string' || b.block_id.length === 0) {
        this.fail(`${path}/block_id`, 'must be more than 0 characters');
      }
      this.maxLength(`${path}/block_id`, b.block_id, 255);
      if (this.blockIds.has(b.block_id)) this.fail(`${path}/block_id`, 'must be unique');
      this.blockIds.add(b.block_id);
    }
    switch (b.type) {
      case 'section':
        if (b.text === undefined && b.fields === undefined) {
          return this.fail(path, 'must provide one of text or fields');
        }
        this.text(`${path}/text`, b.text, { max: 3000, required: false });
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields) || b.fields.length > 10) {
            this.fail(`${path}/fields`, 'must provide an array with no more than 10 items');
          } else {
            b.fields.forEach((f, i) => this.text(`${path}/fields/${i}`, f, { max: 2000 }));
          }
        }
        if (b.accessory !== undefined) this.element(`${path}/accessory`, b.accessory, actionElements);
        break;
      case 'header':
        this.text(`${path}/text`, b.text, { max: 150, plainOnly: true });
        break;
      case 'context':
        if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10) {
          return this.fail(`${path}/elements`, 'must provide an array with between 1 and 10 items');
        }
        b.elements.forEach((e, i) => {
          if (isObject(e) && e.type === 'image') this.image(`${path}/elements/${i}`, e);
          else this.text(`${path}/elements/${i}`, e, { max: 3000 });
        });
        break;
      case 'actions':
        if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 25) {
          return this.fail(`${path}/elements`, 'must provide an array with between 1 and 25 items');
        }
        b.elements.forEach((e, i) => this.element(`${path}/elements/${i}`, e, actionElements));
        break;
      case 'input':
        this.text(`${path}/label`, b.label, { max: 2000, plainOnly: true });
        this.text(`${path}/hint`, b.hint, { max: 2000, plainOnly: true, required: false });
        if (!isObject(b.element)) return this.fail(`${path}/element`, 'must provide an object');
        this.element(`${path}/element`, b.element, inputElements);
        break;
      case 'image':
        this.image(path, b);
        break;
      case 'markdown':
        if (typeof b.text !== 'string') return this.fail(`${path}/text`, 'must provide a string');
        this.maxLength(`${path}/text`, b.text, 12000);
        break;
      case 'rich_text':
        if (!Array.isArray(b.elements)) this.fail(`${path}/elements`, 'must provide an array');
        break;
      default: // divider, file, video: nothing this simulator checks
    }
  }

  blocks(path, blocks, max) {
    if (!Array.isArray(blocks)) return this.fail(path, 'must provide an array');
    if (blocks.length > max) this.fail(path, `must provide an array with no more than ${max} items`);
    blocks.forEach((b, i) => this.block(`${path}/${i}`, b));
  }
}

// Message blocks: at most 50.
export function validateMessageBlocks(blocks) {
  const c = new Checker();
  c.blocks('/blocks', blocks, 50);
  return c.problems;
}

// A modal for views.open / views.update: title and buttons <= 24 characters, 1..100 blocks, and a
// submit button whenever the view has input blocks.
export function validateView(view) {
  const c = new Checker();
  if (!isObject(view)) return ['must provide an object [json-pointer:/view]'];
  if (view.type !== 'modal' && view.type !== 'home') c.fail('/view/type', 'must be a valid enum value');
  if (view.type === 'modal') {
    c.text('/view/title', view.title, { max: 24, plainOnly: true });
    c.text('/view/submit', view.submit, { max: 24, plainOnly: true, required: false });
    c.text('/view/close', view.close, { max: 24, plainOnly: true, required: false });
    if (Array.isArray(view.blocks) && view.blocks.some((b) => b?.type === 'input') && view.submit === undefined) {
      c.fail('/view/submit', 'must provide a submit button when the view has input blocks');
    }
  }
  c.maxLength('/view/callback_id', view.callback_id, 255);
  c.maxLength('/view/private_metadata', view.private_metadata, 3000);
  c.maxLength('/view/external_id', view.external_id, 255);
  c.blocks('/view/blocks', view.blocks, 100);
  return c.problems;
}
