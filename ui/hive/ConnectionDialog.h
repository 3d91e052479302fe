#pragma once

#include "ui/hive/ConnectionProfile.h"

#include <QDialog>
#include <QMap>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace hivewatch {

class ShapeProbe;

// File → Connect…: choose or edit a connection profile. A profile has one or more sources (URL,
// style, authentication) and maps each synced table to one of them; Test asks every source used
// whether it serves its first table (ShapeProbe, no sync). Secrets are typed into password fields;
// storing them is the caller's job (SecretStore), so the dialog itself never persists anything.
// The demo is never offered for editing: its URL is temporary.
class ConnectionDialog : public QDialog
{
    Q_OBJECT
public:
    // `saved`: the saved profiles to choose from; `initial`: the one shown first (a demo profile
    // shows the first saved one, or a new one, instead).
    ConnectionDialog(const QList<ConnectionProfile> &saved, const ConnectionProfile &initial,
                     QWidget *parent = nullptr);

    ConnectionProfile profile() const;
    bool rememberSecrets() const;
    // Saved profiles the user deleted here, whether the dialog was accepted or not.
    QStringList deletedProfiles() const { return m_deleted; }
    QString problem() const;

    // For tests: the widgets a user works with.
    QComboBox *profileBox() const { return m_profiles; }
    QPushButton *deleteProfileButton() const { return m_deleteProfile; }
    QLineEdit *nameEdit() const { return m_name; }
    QListWidget *sourceList() const { return m_sourceList; }
    QLineEdit *sourceNameEdit() const { return m_sourceName; }
    QLineEdit *urlEdit() const { return m_url; }
    QComboBox *styleBox() const { return m_style; }
    QComboBox *authBox() const { return m_auth; }
    QLineEdit *secretEdit() const { return m_secret; }
    QLineEdit *tokenCommandEdit() const { return m_tokenCommand; }
    QLineEdit *caFileEdit() const { return m_caFile; }
    QCheckBox *tableBox(const QString &table) const { return m_tableBoxes.value(table); }
    QComboBox *tableSourceBox(const QString &table) const { return m_tableSources.value(table); }
    QPushButton *addSourceButton() const { return m_addSource; }
    QPushButton *testButton() const { return m_test; }
    QLabel *testResult() const { return m_testResult; }

private:
    void showProfile(const ConnectionProfile &profile);
    void deleteProfile();
    void showSource(int row);
    void sourceEdited();
    void addSource();
    void removeSource();
    void tablesEdited();
    void refreshSourceChoices();
    void test();
    void updateForm();

    QList<ConnectionProfile> m_saved;
    ConnectionProfile m_profile; // the one being edited
    int m_currentSource = -1;
    bool m_loading = false;
    QComboBox *m_profiles;
    QPushButton *m_deleteProfile;
    QLineEdit *m_name;
    QListWidget *m_sourceList;
    QPushButton *m_addSource;
    QPushButton *m_removeSource;
    QLineEdit *m_sourceName;
    QLineEdit *m_url;
    QComboBox *m_style;
    QComboBox *m_auth;
    QLabel *m_secretLabel;
    QLineEdit *m_secret;
    QLineEdit *m_tokenCommand;
    QLineEdit *m_caFile;
    QPushButton *m_browseCaFile;
    QCheckBox *m_remember;
    QMap<QString, QCheckBox *> m_tableBoxes;
    QMap<QString, QComboBox *> m_tableSources;
    QPushButton *m_test;
    QLabel *m_testResult;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
    ShapeProbe *m_probe;
    QStringList m_testLines;
    QStringList m_deleted;
};

} // namespace hivewatch
