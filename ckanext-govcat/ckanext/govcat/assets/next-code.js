/* 代码生成: the button beside the resource-code field asks govcat_catalog_next_code for the
 * next free sequence code under the classification chosen in the form (and the code scheme,
 * when one is chosen) and writes it into the field.
 *
 * Options (data-module-*): target (the code input), classification and scheme (the selects).
 */
this.ckan.module('govcat-next-code', function ($) {
  return {
    options: {target: '#field-resource_code', classification: '#field-classification',
              scheme: '#field-code_scheme'},

    initialize: function () {
      $.proxyAll(this, /_on/);
      this.status = this.el.closest('.govcat-next-code').find('.govcat-next-code-status');
      this.el.on('click', this._onClick);
    },

    _say: function (text, isError) {
      this.status.text(text).toggleClass('text-danger', !!isError);
    },

    _onClick: function (event) {
      event.preventDefault();
      var classification = $(this.options.classification).val();
      if (!classification) {
        this._say(this._('请先选择信息资源分类'), true);
        return;
      }
      var params = {classification: classification};
      var scheme = $(this.options.scheme).val();
      if (scheme) {
        params.code_scheme = scheme;
      }
      this.el.prop('disabled', true);
      this._say(this._('正在生成…'));
      this.sandbox.client.call('GET', 'govcat_catalog_next_code', '?' + $.param(params),
                               this._onCode, this._onError);
    },

    _onCode: function (json) {
      this.el.prop('disabled', false);
      $(this.options.target).val(json.result.code).trigger('change');
      this._say(this._('已生成：') + json.result.code);
    },

    _onError: function (xhr) {
      this.el.prop('disabled', false);
      var error = (xhr.responseJSON || {}).error || {};
      var message = error.message || $.map(error, function (v, k) {
        return k.charAt(0) === '_' ? null : [].concat(v).join(' ');
      }).join(' ');
      this._say(this._('无法生成代码：') + (message || xhr.status), true);
    }
  };
});
