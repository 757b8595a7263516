/* Page text of CKAN's scripts in the page's language.
 *
 * CKAN 2.12's client.getLocaleData(locale) turns the page's BCP 47 language ("zh-Hans-CN",
 * from <html lang>) back into a CKAN locale by replacing only the first "-", so it asks for
 * /api/i18n/zh_Hans-CN, which CKAN rejects (400) and every script string stays English.
 * This replaces every "-" before asking. Runs before ckan.initialize (on DOM ready).
 */
(function (ckan) {
  var getLocaleData = ckan.Client.prototype.getLocaleData;
  ckan.Client.prototype.getLocaleData = function (locale, success, error) {
    return getLocaleData.call(this, (locale || '').replace(/-/g, '_'), success, error);
  };
})(this.ckan);
